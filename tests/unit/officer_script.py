"""One interpreter of random officer command scripts, shared by the aggregate, fold and read-model tests."""

from datetime import date, timedelta

from hypothesis import strategies as st

from naloxone_kernel.domain import DomainError
from training.domain import Officer, OfficerRole, WithdrawalReason, officer_id_for

D0 = date(2026, 1, 1)

steps = st.lists(st.one_of(
    st.tuples(st.just("train"), st.integers(0, 900), st.integers(1, 1200)),
    st.tuples(st.just("expire"), st.integers(0, 2500)),
    st.tuples(st.just("withdraw"), st.integers(0, 900)),
    st.tuples(st.just("enrol"), st.integers(0, 900)),
), max_size=30)


def run_officer_script(script, staff: str = "WM9", force: str = "west-midlands") -> Officer:
    """An enrolled officer after the script's commands; refusals (DomainError) are skipped, as a user would be."""
    officer = Officer(officer_id_for(force, staff))
    officer.enrol(force_id=force, staff_number=staff, role=OfficerRole.PCSO, enrolled_on=D0)
    for kind, *args in script:
        try:
            if kind == "train":
                officer.record_training(course="C", provider="p", completed_on=D0 + timedelta(days=args[0]),
                                        valid_until=D0 + timedelta(days=args[0] + args[1]))
            elif kind == "expire":
                officer.expire_certification(today=D0 + timedelta(days=args[0]))
            elif kind == "withdraw":
                officer.withdraw(reason=WithdrawalReason.OTHER, withdrawn_on=D0 + timedelta(days=args[0]))
            else:
                officer.enrol(force_id=force, staff_number=staff, role=OfficerRole.OTHER,
                              enrolled_on=D0 + timedelta(days=args[0]))
        except DomainError:
            pass
    return officer
