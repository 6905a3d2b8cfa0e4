package kb

func imapCommands() []Entry      { return nil }
func imapCapabilities() []Entry  { return nil }
func imapFetchItems() []Entry    { return nil }
func imapFlagsAndAttrs() []Entry { return nil }
func imapSearchKeys() []Entry    { return nil }
