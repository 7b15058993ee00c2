package explorer

// WithoutIncremental returns o with phase 3 evaluating every state
// property in every new state: the reference the incremental checks are
// compared with.
func WithoutIncremental(o Options) Options {
	o.incr |= incrOff
	return o
}

// VerifyingIncremental returns o with phase 3 evaluating every state
// property and failing the search (Result.Err) when one that the
// incremental check would have skipped fails.
func VerifyingIncremental(o Options) Options {
	o.incr |= incrVerify
	return o
}

// IgnoringChanges returns o with wrong dirty sets: a new state's holds
// only the properties its source failed, whatever the step changed.
func IgnoringChanges(o Options) Options {
	o.incr |= incrIgnoreChanges
	return o
}
