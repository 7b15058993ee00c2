/* examples/tas-ticket.wq in Promela: a ticket lock. B gets in. */
byte next;
byte owner;
bool b_in;

active proctype cpu_a() {
	byte me;
	do
	:: atomic { me = next; next = (next + 1) % 4 };
	   (owner == me);
	   owner = (owner + 1) % 4
	od
}

active proctype cpu_b() {
	byte me;
	atomic { me = next; next = (next + 1) % 4 };
	(owner == me);
	b_in = true;
	owner = (owner + 1) % 4
}

ltl b_gets_the_lock { <> b_in }
