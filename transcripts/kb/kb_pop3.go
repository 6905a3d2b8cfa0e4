package kb

func pop3Entries() []Entry { return nil }
