package model

import "strings"

// guardLock resolves a guarded_by lock that is not a field of the guarded
// object itself: a global lock variable (guarded_by(wq_pool_attach_mutex))
// or a lock field of a single global object (guarded_by(pool.lock)). It
// returns the lock's absolute bit offset and width. Object offsets are only
// known once the layout is done, so it is called from then on.
func (c *compiler) guardLock(name string) (uint32, uint8, bool) {
	obj, field, dotted := strings.Cut(name, ".")
	if !dotted {
		g := c.globals[name]
		if g == nil || g.Type.Kind != KLock {
			return 0, 0, false
		}
		return g.Off, g.Width, true
	}
	a := c.arrays[obj]
	if a == nil || !a.Single {
		return 0, 0, false
	}
	f := a.Struct.byName[field]
	if f == nil || f.Type.Kind != KLock {
		return 0, 0, false
	}
	return a.Struct.fieldOff(a.First, f), f.Width, true
}
