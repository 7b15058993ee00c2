/* examples/livelock.wq in Promela: both CPUs raise a flag, see the other's,
 * back off and retry, for ever. */
bool want_a;
bool want_b;
bool a_done;
bool b_done;

active proctype cpu_a() {
	do
	:: want_a = true;
	   if
	   :: !want_b -> break
	   :: else -> want_a = false
	   fi
	od;
	a_done = true;
	want_a = false
}

active proctype cpu_b() {
	do
	:: want_b = true;
	   if
	   :: !want_a -> break
	   :: else -> want_b = false
	   fi
	od;
	b_done = true;
	want_b = false
}

ltl a_gets_through { <> a_done }
