package simulator

import (
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// go-imap's own client drives SORT, THREAD and ID through the simulator,
// and finds them among the capabilities. (Its THREAD reader expects a
// space between thread lists, which RFC 5256's grammar has none of, so
// the thread asked for here is a single chain.)
func TestIMAPClientSortThreadAndID(t *testing.T) {
	sim := extWorld(t, append(append([]extMessage(nil), threadMessages[:3]...), sortMessages...))
	c, err := imapclient.DialInsecure(sim.Addr(wire.RoleIMAP), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	id, err := c.ID(&imap.IDData{Name: "imapclient", Version: "2.0.0-beta.8"}).Wait()
	if err != nil || id.Name != "mailtutor" {
		t.Fatalf("ID: %+v, %v", id, err)
	}
	if err := c.Login("alice", "wonderland").Wait(); err != nil {
		t.Fatal(err)
	}
	caps := c.Caps()
	for _, want := range []imap.Cap{imap.CapSort, imap.CapSortDisplay, imap.CapESort, imap.Cap("CONTEXT=SEARCH"), imap.CapID} {
		if !caps.Has(want) {
			t.Errorf("capability %s missing: %v", want, caps)
		}
	}
	if algs := caps.ThreadAlgorithms(); len(algs) != 2 {
		t.Errorf("thread algorithms: %v", algs)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	nums, err := c.Sort(&imapclient.SortOptions{
		SearchCriteria: &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "lunch"}}},
		SortCriteria:   []imapclient.SortCriterion{{Key: imapclient.SortKeyDate, Reverse: true}},
	}).Wait()
	if err != nil || len(nums) != 3 || nums[0] != 4 || nums[1] != 6 || nums[2] != 8 {
		t.Errorf("SORT (REVERSE DATE) SUBJECT lunch: %v, %v; want [4 6 8]", nums, err)
	}
	uids, err := c.UIDSort(&imapclient.SortOptions{
		SearchCriteria: &imap.SearchCriteria{},
		SortCriteria:   []imapclient.SortCriterion{{Key: imapclient.SortKeyFrom}},
	}).Wait()
	if err != nil || len(uids) != 8 {
		t.Errorf("UID SORT (FROM) ALL: %v, %v", uids, err)
	}
	threads, err := c.Thread(&imapclient.ThreadOptions{
		Algorithm:      imap.ThreadReferences,
		SearchCriteria: &imap.SearchCriteria{SeqNum: []imap.SeqSet{imap.SeqSetNum(1, 2, 3)}},
	}).Wait()
	if err != nil || len(threads) != 1 || len(threads[0].Chain) != 3 || threads[0].Chain[2] != 3 {
		t.Errorf("THREAD REFERENCES 1:3: %+v, %v; want one chain 1 2 3", threads, err)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Error(err)
	}
}
