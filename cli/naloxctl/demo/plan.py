"""The demo plan: every command the demo load sends, worked out in advance (pure: no I/O).

Deterministic from (seed, scale, today), so a rerun the same day sends the same commands with
the same idempotency keys and adds nothing. Sized from published figures (DESIGN.md, "Figures
to keep the demo honest"), multiplied by `scale`; at any scale every active force keeps at
least one of each thing, so the picture keeps its shape.

- Provision (Home Office monitoring, Dec 2024): 24 forces ongoing, 8 pilots, 7 agreed,
  5 committed, 2 none. Which force has which status is illustrative, not the published list.
  The 32 forces with provision are the demo's active forces.
- Officers: West Midlands about 205 trained; Police Scotland about 10,300 trained by May 2023
  (carriage mandatory there, so nearly all carry); elsewhere tens to a few hundred, sized from
  the force's officer strength, carriage voluntary (a share carries).
- Certification: each active force sets a 36-month policy (a three-year refresher cycle; the
  platform's default is 12). Scottish officers whose first certification has lapsed did a
  refresher before their current kit was issued; elsewhere only officers certified when kits
  were issued in the last 14 months carry one.
- Administrations: 1,232 by police in England and Wales from June 2019 to 30 December 2024,
  spread over the active forces by officers trained and months active; Police Scotland 201
  up to May 2023, all but 7 surviving. Elsewhere about 90% survive (New York State police:
  87%), mostly 1 or 2 doses (NYSP: 2 on average).
- Take-home naloxone at custody release in West Midlands (handed out by Cranstoun's arrest
  referral workers) and Durham (custody staff); some people are supplied again.
- Referrals into arrest referral, Checkpoint-style deferred prosecution and treatment, with
  the contracts the forces hold and their outcomes.
"""

from __future__ import annotations

import calendar
import math
import random
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from naloxone_kernel.reference.force_figures import force_figures
from naloxone_kernel.reference.forces import FORCES, get_force

PRODUCT = "nyxoid-1-8mg-nasal-spray"
COURSE = "NALOX-INTRANASAL-1"
REFRESHER = "NALOX-REFRESHER-1"
CERTIFICATION_MONTHS = 36
#: Police Scotland (carriage mandatory): the platform's longest policy, so officers trained by May 2023
#: still hold current kits without a refresher each (a choice of the demo, not a published figure).
SCOTLAND_CERTIFICATION_MONTHS = 60
#: Kits expire 30 months after they are received (24-36 months' shelf life, less time in the supply chain).
SHELF_MONTHS = 30
#: Kits held now were received into stores in the last 14 months (older ones were swapped before expiry).
FIRST_RECEIPT_DAYS = 420
MAX_BATCH = 1000
#: officers (with their courses) per bulk enrolment, and kits per bulk issue (the routes take up to 500)
BULK = 250

#: Home Office monitoring, Dec 2024 (counts); the forces named are illustrative.
ONGOING = ("west-midlands", "police-scotland", "durham", "merseyside", "cleveland", "northumbria", "cumbria",
           "lancashire", "greater-manchester", "south-yorkshire", "west-yorkshire", "humberside", "derbyshire",
           "nottinghamshire", "staffordshire", "west-mercia", "avon-and-somerset", "devon-and-cornwall",
           "gloucestershire", "south-wales", "gwent", "north-wales", "dyfed-powys", "thames-valley")
PILOTS = ("leicestershire", "lincolnshire", "norfolk", "essex", "kent", "sussex", "hampshire", "metropolitan")
PROVISION_COUNTS = (("ongoing", 24), ("pilot", 8), ("agreed", 7), ("committed", 5), ("none", 2))

EW_ADMINISTRATIONS = 1232
EW_WINDOW = (date(2019, 6, 1), date(2024, 12, 30))
SCOTLAND = "police-scotland"
SCOTLAND_ADMINISTRATIONS, SCOTLAND_DEATHS = 201, 7
SCOTLAND_WINDOW = (date(2021, 3, 1), date(2023, 5, 31))
SCOTLAND_TRAINED, SCOTLAND_TRAINED_BY = 10_300, date(2023, 5, 31)
WEST_MIDLANDS_TRAINED = 205

#: Where a force first trained officers (West Midlands first, 2019; Leicestershire's pilot 2 Nov 2023).
KNOWN_STARTS = {"west-midlands": date(2019, 3, 1), "durham": date(2019, 6, 1), SCOTLAND: date(2021, 2, 1),
                "leicestershire": date(2023, 11, 2)}
#: Take-home naloxone at custody release: (first day, supplies at scale 1, who hands it out).
SUPPLIES = {"durham": (date(2021, 2, 1), 240, "durham"), "west-midlands": (date(2021, 9, 1), 360, "cranstoun")}
#: Diversion contracts: force -> ((scheme, partner, from, referrals at scale 1, scheme code), ...).
CONTRACTS = {
    "west-midlands": (("arrest_referral", "cranstoun", date(2019, 1, 1), 150, None),),
    "durham": (("deferred_prosecution", "change-grow-live", date(2019, 4, 1), 90, "CHECKPOINT"),),
    "leicestershire": (("treatment", "turning-point", date(2023, 11, 2), 40, None),),
    "merseyside": (("arrest_referral", "change-grow-live", date(2020, 6, 1), 30, None),),
}
#: Postcode areas, for coarse area codes (postcode districts) of where things happened.
POSTCODE_AREAS = {
    "cleveland": ("TS",), "durham": ("DH", "DL"), "northumbria": ("NE", "SR"), "cheshire": ("CH", "CW", "WA"),
    "cumbria": ("CA", "LA"), "greater-manchester": ("M", "BL", "OL", "SK", "WN"), "lancashire": ("PR", "BB", "FY"),
    "merseyside": ("L", "CH", "WA"), "humberside": ("HU", "DN"), "north-yorkshire": ("YO", "HG"),
    "south-yorkshire": ("S", "DN"), "west-yorkshire": ("LS", "BD", "HD", "WF", "HX"), "derbyshire": ("DE", "S"),
    "leicestershire": ("LE",), "lincolnshire": ("LN", "PE"), "northamptonshire": ("NN",),
    "nottinghamshire": ("NG",), "staffordshire": ("ST", "WS"), "warwickshire": ("CV",), "west-mercia": ("WR", "SY", "HR", "TF"),
    "west-midlands": ("B", "CV", "WV", "WS", "DY"), "bedfordshire": ("MK", "LU"), "cambridgeshire": ("CB", "PE"),
    "essex": ("CM", "CO", "SS"), "hertfordshire": ("AL", "SG", "WD"), "norfolk": ("NR",), "suffolk": ("IP",),
    "city-of-london": ("EC",), "metropolitan": ("E", "N", "SE", "SW", "W"), "hampshire": ("SO", "PO"),
    "kent": ("ME", "CT", "TN"), "surrey": ("GU", "KT"), "sussex": ("BN", "RH"), "thames-valley": ("OX", "RG", "MK"),
    "avon-and-somerset": ("BS", "BA", "TA"), "devon-and-cornwall": ("EX", "PL", "TR"), "dorset": ("BH", "DT"),
    "gloucestershire": ("GL",), "wiltshire": ("SN", "SP"), "dyfed-powys": ("SA", "LD"), "gwent": ("NP",),
    "north-wales": ("LL",), "south-wales": ("CF",), SCOTLAND: ("G", "EH", "AB", "DD", "IV", "KY", "PA", "FK"),
    "psni": ("BT",), "btp": ("EC",),
}
ROLES_EW = (("neighbourhood", 30), ("response", 30), ("pcso", 12), ("police_officer", 10), ("custody_officer", 8),
            ("special_constable", 6), ("detention_staff", 2), ("volunteer", 2))
ROLES_SCOTLAND = (("police_officer", 50), ("response", 30), ("neighbourhood", 15), ("custody_officer", 5))
PROVIDERS = ("force-training-unit", "cranstoun", "turning-point", "change-grow-live")
SUBSTANCES = (("heroin", 45), ("polysubstance", 20), ("unknown", 15), ("methadone", 8), ("synthetic_opioid", 7),
              ("prescription_opioid", 5))
#: Outcomes of administrations in England and Wales: about 90% alive (NYSP: 87% survived).
OUTCOMES_EW = (("alive_at_handover", 780), ("alive_refused_hospital", 120), ("died", 35), ("unknown", 65))
DOSES = ((1, 58), (2, 34), (3, 8))
SURVIVED = ("alive_at_handover", "alive_refused_hospital")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (as training's policy counts)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _pick(rng: random.Random, weighted) -> object:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange(max((last - first).days, 0) + 1))


def _scaled(n: float, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(n * scale))


def _apportion(total: int, weights: dict[str, float], minimum: int = 1) -> dict[str, int]:
    """`total` split by weight (largest remainder), each key at least `minimum`."""
    base = {k: minimum for k in weights}
    rest = total - minimum * len(weights)
    if rest <= 0:
        return base
    whole = sum(weights.values())
    shares = {k: rest * w / whole for k, w in weights.items()}
    out = {k: base[k] + int(s) for k, s in shares.items()}
    for k in sorted(shares, key=lambda k: (-(shares[k] - int(shares[k])), k))[:rest - sum(int(s) for s in shares.values())]:
        out[k] += 1
    return out


# --- what the plan holds -------------------------------------------------------------------------

def certification_months(force_id: str) -> int:
    return SCOTLAND_CERTIFICATION_MONTHS if force_id == SCOTLAND else CERTIFICATION_MONTHS


@dataclass(frozen=True)
class Training:
    completed_on: date
    course: str
    provider: str
    delivery: str
    #: the last valid day, as training works it out from the force's policy (the load sends no valid_until)
    valid_until: date


@dataclass(frozen=True)
class Officer:
    staff_number: str
    role: str
    enrolled_on: date
    area_code: str
    trainings: tuple[Training, ...] = ()
    #: (day issued, index of the batch the kit comes from), when the officer carries a kit
    kit: tuple[date, int] | None = None

    def certified_on(self, day: date) -> bool:
        return any(t.completed_on <= day <= t.valid_until for t in self.trainings)


@dataclass(frozen=True)
class Batch:
    receipt: int  # which of the force's quarterly receipts (0-4): officers' kits name it
    lot: str
    quantity: int
    received_on: date
    expires_on: date
    location_id: str
    location_type: str


@dataclass(frozen=True)
class Administration:
    number: int
    administered_at: datetime
    administered_by: str
    staff_number: str | None
    doses: int
    outcome: str
    substances: tuple[str, ...]
    area_code: str
    conveyed_to_hospital: bool

    @property
    def survived(self) -> bool:
        return self.outcome in SURVIVED


@dataclass(frozen=True)
class Supply:
    number: int
    supplied_at: datetime
    supplier_org_id: str
    person: str
    repeat_reason: str | None
    area_code: str


@dataclass(frozen=True)
class Referral:
    number: int
    scheme: str
    source: str
    referred_at: datetime
    person: str
    area_code: str
    #: ("acceptance" | "decline" | "engagement" | "closure", body), in order
    steps: tuple[tuple[str, dict], ...] = ()

    @property
    def stage(self) -> str:
        kinds = [k for k, _ in self.steps]
        return "declined" if "decline" in kinds else "accepted" if "acceptance" in kinds else "waiting"


@dataclass(frozen=True)
class Contract:
    scheme: str
    partner_org: str
    starts_on: date
    scheme_code: str | None


@dataclass
class ForcePlan:
    force_id: str
    status: str
    effective_on: date
    officers: list[Officer] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)
    administrations: list[Administration] = field(default_factory=list)
    supplies: list[Supply] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.officers)

    def figures(self) -> dict[str, int | str]:
        """What the views' national comparison should show for this force once the load is in
        (no scheduled expiry has run: certifications and kits count until their events say otherwise)."""
        trained = sum(1 for o in self.officers if o.trainings)
        carriers = sum(1 for o in self.officers if o.kit)
        kits = sum(b.quantity for b in self.batches)
        outcomes = {o: sum(1 for a in self.administrations if a.outcome == o)
                    for o in ("alive_at_handover", "alive_refused_hospital", "died", "unknown")}
        repeat = sum(1 for s in self.supplies if s.repeat_reason)
        stages = [r.stage for r in self.referrals]
        steps = [k for r in self.referrals for k, _ in r.steps]
        completed = sum(1 for r in self.referrals for k, b in r.steps if k == "closure" and b["closure"] == "completed")
        return {
            "provision_status": self.status,
            "officers_enrolled": len(self.officers), "officers_trained": trained, "officers_certified": trained,
            "officers_carrying": carriers, "kits_issued": carriers, "kits_in_stock": kits - carriers,
            "administrations": len(self.administrations),
            "lives_saved": outcomes["alive_at_handover"] + outcomes["alive_refused_hospital"],
            **{f"outcome_{o}": n for o, n in outcomes.items()},
            "doses": sum(a.doses for a in self.administrations),
            "take_home_supplies": len(self.supplies), "take_home_first": len(self.supplies) - repeat,
            "take_home_repeat": repeat, "take_home_at_custody_release": len(self.supplies),
            "referrals_made": len(self.referrals), "referrals_waiting": stages.count("waiting"),
            "referrals_accepted": stages.count("accepted"), "referrals_declined": stages.count("declined"),
            "referrals_engaged": steps.count("engagement"), "referrals_completed": completed,
        }

    def commands(self) -> int:
        """Commands the load sends for this force (provision and policy included)."""
        return (1 + (1 if self.active else 0) + math.ceil(len(self.officers) / BULK)
                + sum(math.ceil(b.quantity / MAX_BATCH) for b in self.batches)
                + math.ceil(sum(1 for o in self.officers if o.kit) / BULK)
                + len(self.administrations) + len(self.supplies) + len(self.contracts)
                + sum(1 + len(r.steps) for r in self.referrals))


@dataclass
class DemoPlan:
    today: date
    seed: int
    scale: float
    forces: dict[str, ForcePlan]

    @property
    def active(self) -> list[ForcePlan]:
        return [f for f in self.forces.values() if f.active]

    def figures(self) -> dict[str, dict]:
        return {f: p.figures() for f, p in self.forces.items()}

    def commands(self) -> int:
        return sum(p.commands() for p in self.forces.values())

    def summary(self) -> dict[str, int]:
        """The headline figures a newcomer sees, summed over every force."""
        rows = [p.figures() for p in self.forces.values()]
        total = lambda name: sum(r[name] for r in rows)  # noqa: E731
        return {"forces_active": len(self.active), "officers_enrolled": total("officers_enrolled"),
                "officers_trained": total("officers_trained"), "officers_carrying": total("officers_carrying"),
                "kits_issued": total("kits_issued"), "kits_in_stock": total("kits_in_stock"),
                "administrations": total("administrations"), "survived": total("lives_saved"),
                "died": total("outcome_died"), "take_home_supplies": total("take_home_supplies"),
                "referrals": total("referrals_made")}


# --- building it ------------------------------------------------------------------------------------

def _rng(seed: int, *parts: str) -> random.Random:
    """One generator per force and concern, so a change to one leaves the others' draws alone."""
    return random.Random(zlib.crc32("/".join((str(seed), *parts)).encode()))


def _area(rng: random.Random, force_id: str) -> str:
    return f"{rng.choice(POSTCODE_AREAS.get(force_id, ('ZZ',)))}{rng.randrange(1, 21)}"


def _statuses() -> dict[str, str]:
    rest = [f.id for f in FORCES if f.id not in ONGOING and f.id not in PILOTS]
    statuses = {**{f: "ongoing" for f in ONGOING}, **{f: "pilot" for f in PILOTS}}
    later = [s for s, n in PROVISION_COUNTS[2:] for _ in range(n)]
    statuses.update(zip(rest, later))
    assert len(statuses) == len(FORCES) and all(get_force(f) for f in statuses)
    return statuses


def _start(rng: random.Random, force_id: str, status: str) -> date:
    if force_id in KNOWN_STARTS:
        return KNOWN_STARTS[force_id]
    if status == "ongoing":
        return _day_between(rng, date(2019, 9, 1), date(2022, 6, 30))
    return _day_between(rng, date(2023, 6, 1), date(2024, 9, 30))


def _trained_count(rng: random.Random, force_id: str, status: str) -> int:
    if force_id == SCOTLAND:
        return SCOTLAND_TRAINED
    if force_id == "west-midlands":
        return WEST_MIDLANDS_TRAINED
    fte = force_figures()[force_id].officers_fte or 1500
    if status == "ongoing":
        return min(400, max(30, round(fte * rng.uniform(0.025, 0.09))))
    return min(80, max(12, round(fte * rng.uniform(0.008, 0.02))))


def _batches(rng: random.Random, force_id: str, today: date, needed: dict[int, int]) -> list[Batch]:
    """Quarterly receipts over the last 14 months, each the kits issued from it plus spares."""
    out = []
    for index in range(5):
        received = today - timedelta(days=FIRST_RECEIPT_DAYS - 90 * index)
        issued = needed.get(index, 0)
        spare = max(1, round(issued * rng.uniform(0.08, 0.15))) if issued or index == 4 else 0
        quantity = issued + spare
        if quantity:
            out.append(Batch(receipt=index, lot=f"NX{zlib.crc32(f'{force_id}/{index}'.encode()) % 100000:05d}", quantity=quantity,
                             received_on=received, expires_on=add_months(received, SHELF_MONTHS),
                             location_id=f"{force_id[:3].upper()}-STORE-{1 + index % 3}",
                             location_type="police_station"))
    return out


def _receipt_days(today: date) -> list[date]:
    return [today - timedelta(days=FIRST_RECEIPT_DAYS - 90 * i) for i in range(5)]


def _officers(rng: random.Random, force: ForcePlan, start: date, trained: int, scale: float, today: date
              ) -> list[Officer]:
    """Enrolled officers, most trained; who carries a kit now, and from which receipt."""
    scotland = force.force_id == SCOTLAND
    months = certification_months(force.force_id)
    n_trained = _scaled(trained, scale)
    n_untrained = max(0, round(n_trained * (rng.uniform(0.01, 0.02) if scotland else rng.uniform(0.03, 0.1))))
    carry_share = 0.97 if scotland else rng.uniform(0.55, 0.85)
    receipts = _receipt_days(today)
    prefix = "PS" if scotland else "".join(w[0] for w in force.force_id.split("-")).upper()[:2].ljust(2, "X")
    last_training = SCOTLAND_TRAINED_BY if scotland else today - timedelta(days=21)
    officers = []
    for n in range(n_trained + n_untrained):
        staff = f"{prefix}{10000 + n}"
        role = _pick(rng, ROLES_SCOTLAND if scotland else ROLES_EW)
        area = _area(rng, force.force_id)
        if n >= n_trained:  # enrolled lately, awaiting a course
            officers.append(Officer(staff, role, _day_between(rng, today - timedelta(days=60), today - timedelta(days=7)),
                                    area))
            continue
        completed = _day_between(rng, start, last_training)
        enrolled = max(start - timedelta(days=30), completed - timedelta(days=rng.randrange(1, 45)))
        trainings = [Training(completed, COURSE, rng.choice(PROVIDERS), _pick(rng, (("in_person", 6), ("blended", 3),
                                                                                    ("online", 1))),
                              add_months(completed, months))]
        kit = None
        if rng.random() < carry_share:
            if scotland and trainings[-1].valid_until < receipts[0] + timedelta(days=30):
                # lapsed, or lapsing before the current kits came: a refresher first (mandatory carriage)
                refresher = _day_between(rng, max(trainings[-1].valid_until - timedelta(days=180), receipts[0]),
                                         today - timedelta(days=14))
                trainings.append(Training(refresher, REFRESHER, "force-training-unit", "in_person",
                                          add_months(refresher, months)))
            current = trainings[-1]
            first = max(current.completed_on, receipts[0])
            last = min(current.valid_until, today - timedelta(days=1))
            if first <= last:
                issued = _day_between(rng, first, min(last, first + timedelta(days=120)))
                batch = max(i for i, r in enumerate(receipts) if r <= issued)
                kit = (issued, batch)
        officers.append(Officer(staff, role, enrolled, area, tuple(trainings), kit))
    if not any(o.kit for o in officers):  # every active force has a carrier, whatever the scale
        o = next((o for o in officers if o.trainings), None)
        if o is not None:
            refresher = Training(today - timedelta(days=30), REFRESHER, "force-training-unit", "in_person",
                                 add_months(today - timedelta(days=30), months))
            trained_o = Officer(o.staff_number, o.role, o.enrolled_on, o.area_code, (*o.trainings, refresher),
                                (today - timedelta(days=20), 4))
            officers[officers.index(o)] = trained_o
    return officers


def _instant(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, time(rng.randrange(24), rng.randrange(60)), UTC)


def _administrations(rng: random.Random, force: ForcePlan, count: int, window: tuple[date, date],
                     outcomes: list[str]) -> list[Administration]:
    """Spread over the window from a month after the force's first training; each names an officer
    certified that day where there is one (else one trained earlier: recorded and flagged, as on the street)."""
    trained = sorted((o for o in force.officers if o.trainings), key=lambda o: o.trainings[0].completed_on)
    first = max(window[0], trained[0].trainings[0].completed_on + timedelta(days=30)) if trained else window[0]
    last = max(window[1], first)
    out = []
    for n, outcome in enumerate(outcomes[:count]):
        day = _day_between(rng, first, last)
        custody = rng.random() < 0.05
        officer = None if custody else _named_officer(rng, trained, day)
        out.append(Administration(
            number=n, administered_at=_instant(rng, day), administered_by="custody_staff" if custody else "officer",
            staff_number=officer.staff_number if officer else None, doses=_pick(rng, DOSES), outcome=outcome,
            substances=(_pick(rng, SUBSTANCES),), area_code=_area(rng, force.force_id),
            conveyed_to_hospital=outcome == "alive_at_handover" and rng.random() < 0.8))
    return sorted(out, key=lambda a: a.administered_at)


def _named_officer(rng: random.Random, trained: list[Officer], day: date) -> Officer | None:
    """A random officer certified on the day; failing that one trained before it; else nobody."""
    for _ in range(60):
        o = trained[rng.randrange(len(trained))] if trained else None
        if o is not None and o.certified_on(day) and o.trainings[0].completed_on < day:
            return o
    earlier = [o for o in trained if o.trainings[0].completed_on < day]
    return rng.choice(earlier) if earlier else None


def _ew_outcomes(rng: random.Random, count: int) -> list[str]:
    return [_pick(rng, OUTCOMES_EW) for _ in range(count)]


def _supplies(rng: random.Random, force: ForcePlan, scale: float, today: date) -> list[Supply]:
    first, count, supplier = SUPPLIES[force.force_id]
    n = _scaled(count, scale)
    people: list[str] = []
    out = []
    days = sorted(_day_between(rng, first, today - timedelta(days=2)) for _ in range(n))
    for number, day in enumerate(days):
        again = bool(people) and rng.random() < 0.18
        person = rng.choice(people) if again else f"CR-{force.force_id[:2].upper()}-{len(people) + 1:06d}"
        if not again:
            people.append(person)
        out.append(Supply(number, datetime.combine(day, time(rng.randrange(7, 22), rng.randrange(60)), UTC), supplier,
                          person, _pick(rng, (("previous_kit_used", 5), ("lost", 2), ("expired", 1), ("confiscated", 1)))
                          if again else None, _area(rng, force.force_id)))
    return out


def _referrals(rng: random.Random, force: ForcePlan, scale: float, today: date) -> list[Referral]:
    out = []
    for scheme, _partner, starts_on, count, _code in CONTRACTS[force.force_id]:
        for _ in range(_scaled(count, scale)):
            number = len(out)
            day = _day_between(rng, starts_on + timedelta(days=14), today - timedelta(days=3))
            referred_at = datetime.combine(day, time(rng.randrange(8, 20), rng.randrange(60)), UTC)
            steps: list[tuple[str, dict]] = []
            fate = rng.random()
            recent = (today - day).days < 21
            if fate < 0.2 and not recent:
                steps.append(("decline", {"declined_on": _after(rng, day, 1, 10, today).isoformat(),
                                          "reason": _pick(rng, (("person_declined", 5), ("no_contact", 4),
                                                                ("not_eligible", 1)))}))
            elif fate < 0.9 and not recent:
                accepted = _after(rng, day, 1, 7, today)
                steps.append(("acceptance", {"accepted_on": accepted.isoformat()}))
                if rng.random() < 0.75:
                    engaged = _after(rng, accepted, 2, 21, today)
                    steps.append(("engagement", {"engaged_on": engaged.isoformat(), "intervention": _pick(
                        rng, (("structured_treatment", 4), ("harm_reduction", 3), ("education", 2),
                              ("recovery_support", 1)))}))
                    if (today - engaged).days > 90 and rng.random() < 0.8:
                        closure = "completed" if rng.random() < 0.65 else "disengaged"
                        steps.append(("closure", {"closed_on": _after(rng, engaged, 30, 90, today).isoformat(),
                                                  "closure": closure}))
            out.append(Referral(number, scheme, "custody" if scheme != "treatment" else _pick(
                rng, (("street", 2), ("post_overdose", 1), ("neighbourhood_policing", 1))), referred_at,
                f"DV-{force.force_id[:2].upper()}-{number:06d}", _area(rng, force.force_id), tuple(steps)))
    return out


def _after(rng: random.Random, day: date, least: int, most: int, today: date) -> date:
    return min(day + timedelta(days=rng.randrange(least, most + 1)), today - timedelta(days=1))


def build_plan(today: date, *, seed: int = 7, scale: float = 1.0) -> DemoPlan:
    """The whole demo for `today`: every force's provision, and the active forces' officers, kits,
    administrations, take-home supplies and referrals, scaled."""
    if not scale > 0:
        raise ValueError("scale must be above 0")
    statuses = _statuses()
    forces: dict[str, ForcePlan] = {}
    starts: dict[str, date] = {}
    for n, f in enumerate(FORCES):
        status = statuses[f.id]
        rng = _rng(seed, f.id, "force")
        start = _start(rng, f.id, status)
        starts[f.id] = start
        effective = start if status in ("ongoing", "pilot") else _day_between(rng, date(2024, 1, 1), date(2024, 12, 1))
        plan = forces[f.id] = ForcePlan(f.id, status, effective)
        if status in ("ongoing", "pilot"):
            plan.officers = _officers(_rng(seed, f.id, "officers"), plan, start, _trained_count(rng, f.id, status),
                                      scale, today)
            needed: dict[int, int] = {}
            for o in plan.officers:
                if o.kit:
                    needed[o.kit[1]] = needed.get(o.kit[1], 0) + 1
            plan.batches = _batches(_rng(seed, f.id, "batches"), f.id, today, needed)
    # administrations: England and Wales by officers trained and months active in the window
    ew = [p for p in forces.values() if p.active and p.force_id != SCOTLAND]
    weights = {}
    for p in ew:
        months = max(1.0, (EW_WINDOW[1] - max(EW_WINDOW[0], starts[p.force_id])).days / 30.4)
        weights[p.force_id] = months * sum(1 for o in p.officers if o.trainings)
    shares = _apportion(_scaled(EW_ADMINISTRATIONS, scale), weights)
    for p in ew:
        rng = _rng(seed, p.force_id, "administrations")
        window = (max(EW_WINDOW[0], starts[p.force_id]), EW_WINDOW[1])
        p.administrations = _administrations(rng, p, shares[p.force_id], window, _ew_outcomes(rng, shares[p.force_id]))
    scotland = forces[SCOTLAND]
    rng = _rng(seed, SCOTLAND, "administrations")
    count = _scaled(SCOTLAND_ADMINISTRATIONS, scale)
    deaths = min(count - 1, _scaled(SCOTLAND_DEATHS, scale)) if count > 1 else 0
    outcomes = ["died"] * deaths + [_pick(rng, (("alive_at_handover", 85), ("alive_refused_hospital", 15)))
                                    for _ in range(count - deaths)]
    rng.shuffle(outcomes)
    scotland.administrations = _administrations(rng, scotland, count, SCOTLAND_WINDOW, outcomes)
    for force_id in SUPPLIES:
        forces[force_id].supplies = _supplies(_rng(seed, force_id, "supplies"), forces[force_id], scale, today)
    for force_id, contracts in CONTRACTS.items():
        forces[force_id].contracts = [Contract(s, p, d, c) for s, p, d, _n, c in contracts]
        forces[force_id].referrals = _referrals(_rng(seed, force_id, "referrals"), forces[force_id], scale, today)
    return DemoPlan(today, seed, scale, forces)
