/* examples/livelock-fixed.wq in Promela: B yields to A. */
bool want_a;
bool want_b;
bool a_done;
bool b_done;

active proctype cpu_a() {
	want_a = true;
	(!want_b);
	a_done = true;
	want_a = false
}

active proctype cpu_b() {
	do
	:: want_b = true;
	   if
	   :: !want_a -> break
	   :: else -> want_b = false; (!want_a)
	   fi
	od;
	b_done = true;
	want_b = false
}

ltl a_gets_through { <> a_done }
