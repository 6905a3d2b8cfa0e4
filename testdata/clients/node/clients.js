// Node's most used mail clients against mailtutor serve: nodemailer sends
// (STARTTLS on the submission port, implicit TLS on the submissions port),
// imapflow reads as bob, changes flags, searches, moves, and waits in IDLE
// for the next message. Prints one "KEY value" line per check for
// clients_test.go.
//
// usage: node clients.js HOST SUBMISSION_PORT SUBMISSIONS_PORT IMAP_PORT IMAPS_PORT
const nodemailer = require('nodemailer');
const { ImapFlow } = require('imapflow');

const [host, submission, submissions, imapPort, imapsPort] = process.argv.slice(2);
const tls = { rejectUnauthorized: false }; // mailtutor's certificate is self-signed
const say = (key, value) => console.log(key + ' ' + (typeof value === 'string' ? value : JSON.stringify(value)));

function transport(port, secure) {
  return nodemailer.createTransport({
    host, port: Number(port), secure, requireTLS: !secure, tls,
    auth: { user: 'alice@example.com', pass: 'wonderland' },
  });
}

async function main() {
  const sent = await transport(submission, false).sendMail({
    from: '"Alice" <alice@example.com>',
    to: 'bob@example.org',
    subject: 'Grüße from nodemailer ✓',
    text: 'Hello Bob,\n.\nthe line above is a lone dot.\n',
    html: '<p>Hello Bob</p>',
    attachments: [{ filename: 'notes.txt', content: 'attached text\n' }],
  });
  say('SENT', sent.response);

  const imap = new ImapFlow({ host, port: Number(imapPort), secure: false, tls, logger: false,
    auth: { user: 'bob', pass: 'builder' }, autoIdleDelay: 200 }); // idle after 200 ms, not 15 s
  await imap.connect();
  say('SECURE', String(imap.secureConnection));
  say('CAPS', [...imap.capabilities.keys()].sort().join(' '));
  const boxes = await imap.list();
  say('SPECIALUSE', boxes.map(b => b.specialUse).filter(Boolean).sort().join(' '));

  const lock = await imap.getMailboxLock('INBOX');
  try {
    const last = await imap.fetchOne('*', { envelope: true, bodyStructure: true, source: true, flags: true, uid: true });
    say('SUBJECT', last.envelope.subject);
    say('FROM', last.envelope.from[0].address);
    say('PARTS', last.bodyStructure.childNodes.map(n => n.type).join(' '));
    say('RECEIVED', String((last.source.toString().match(/^Received: /gm) || []).length));
    say('LONEDOT', String(last.source.toString().includes('\r\n.\r\nthe line above') ||
      last.source.toString().includes('=0D=0A.=0D=0A') || last.source.toString().includes('\n.\n')));
    say('UNSEEN', (await imap.search({ seen: false })).join(','));
    await imap.messageFlagsAdd({ uid: last.uid }, ['\\Seen', '$Important'], { uid: true });
    const after = await imap.fetchOne(String(last.seq), { flags: true });
    say('FLAGS', [...after.flags].sort().join(' '));
    say('FROMSEARCH', (await imap.search({ from: 'alice@example.com' }, { uid: true })).includes(last.uid));
    const moved = await imap.messageMove({ uid: last.uid }, 'Archive', { uid: true });
    say('MOVED', moved.destination + ' ' + (moved.uidMap ? moved.uidMap.size : 0));
  } finally {
    lock.release();
  }

  // IDLE: with INBOX still selected and nothing to do, imapflow idles on
  // its own (autoIdleDelay); a message sent now must be announced to it.
  const arrived = new Promise(resolve => imap.on('exists', info => resolve(info)));
  await new Promise(r => setTimeout(r, 500));
  await transport(submissions, true).sendMail({
    from: 'alice@example.com', to: 'bob@example.org', subject: 'while you idle', text: 'ping\n',
  });
  let timer;
  const late = new Promise((_, no) => { timer = setTimeout(() => no(new Error('no EXISTS within 10 s')), 10000); });
  const info = await Promise.race([arrived, late]);
  clearTimeout(timer);
  say('IDLEEXISTS', info.path + ' ' + info.prevCount + '->' + info.count);
  await imap.logout();

  const imaps = new ImapFlow({ host, port: Number(imapsPort), secure: true, tls, logger: false,
    auth: { user: 'bob@example.org', pass: 'builder' } });
  await imaps.connect();
  const status = await imaps.status('Archive', { messages: true, uidNext: true });
  say('ARCHIVE', String(status.messages));
  await imaps.logout();
  say('DONE', 'ok');
}

main().catch(err => { console.error('ERROR', err && (err.stack || err)); process.exit(1); });
