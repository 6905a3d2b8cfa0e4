package kb

func imapResponses() []Entry     { return nil }
func imapResponseCodes() []Entry { return nil }
