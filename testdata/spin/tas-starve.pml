/* examples/tas-starve.wq in Promela: a test-and-set lock, CPU A taking and
 * releasing it in a loop, CPU B spinning. Under weak fairness B can starve. */
bool locked;
bool b_in;

active proctype cpu_a() {
	bool got;
	do
	:: got = false;
	   do
	   :: atomic { got = !locked; locked = true };
	      if
	      :: got -> break
	      :: else -> skip
	      fi
	   od;
	   locked = false
	od
}

active proctype cpu_b() {
	bool got = false;
	do
	:: atomic { got = !locked; locked = true };
	   if
	   :: got -> break
	   :: else -> skip
	   fi
	od;
	b_in = true;
	locked = false
}

ltl b_gets_the_lock { <> b_in }
