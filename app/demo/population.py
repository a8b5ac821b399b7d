"""Subscribers, their phones and contracts, drawn in batches as plain row tuples.

Rows are tuples in the column order of the ``*_COLUMNS`` constants, dates as
ISO strings, so that they go straight to the driver's executemany or COPY.
Primary keys are assigned here (the tables are empty when a demo starts), which
lets the invoices of a contract be drawn before anything is written.

Everything comes from one ``random.Random`` consumed in subscriber order, so
the first subscribers of a 200-subscriber demo are the same as those of a
million-subscriber one with the same seed and date, and batch size changes
nothing.
"""

from __future__ import annotations

import bisect
import queue
import random
import threading
import unicodedata
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

from app.demo.billing import InvoiceMaker, OpenBill
from app.demo.names import Name, NamePool
from app.demo.numbering import AccountNumbers, ScatterByPrefix
from app.demo.profiles import LINE_SERVICES, MOBILE_SERVICES, CitySpec, OfferSpec, Profile
from app.lookup.normalize import search_name_for
from db.models import ContractStatus, PhoneKind, ServiceType

SUBSCRIBER_COLUMNS = (
    "id",
    "account_number",
    "first_name",
    "last_name",
    "name_ar",
    "search_name",
    "address",
    "city",
    "postal_code",
    "email",
    "language",
    "created_on",
)
PHONE_COLUMNS = ("id", "subscriber_id", "number_e164", "kind")
CONTRACT_COLUMNS = (
    "id",
    "number",
    "subscriber_id",
    "service",
    "line_e164",
    "meter_number",
    "offer_id",
    "status",
    "requested_on",
    "activated_on",
    "suspended_on",
    "terminated_on",
    # Where the line is (an outage is recorded against these): the agency serving the
    # subscriber's city, the commune, and for wired lines the exchange.
    "agency_id",
    "commune",
    "exchange_code",
)

PENDING = ContractStatus.PENDING_ACTIVATION.value
ACTIVE = ContractStatus.ACTIVE.value
SUSPENDED = ContractStatus.SUSPENDED.value
TERMINATED = ContractStatus.TERMINATED.value
MOBILE = PhoneKind.MOBILE.value
FIXED = PhoneKind.FIXED.value

NEW_SUBSCRIBER_SHARE = 0.04  # all their lines still waiting for activation
EXTRA_REQUEST_SHARE = 0.015  # an existing subscriber's newly requested line
ACTIVE_BELOW = 0.84
SUSPENDED_BELOW = 0.925  # the rest is terminated
HISTORY_DAYS = 20 * 365

Row = tuple[object, ...]
T = TypeVar("T")


class Weighted(Generic[T]):
    """Items drawn by weight with one random() and a bisect."""

    def __init__(self, pairs: Sequence[tuple[int, T]]) -> None:
        self._items = [item for _, item in pairs]
        self._cumulative = list(accumulate(weight for weight, _ in pairs))
        self._total = self._cumulative[-1]

    def draw(self, random_: float) -> T:
        return self._items[bisect.bisect_right(self._cumulative, random_ * self._total)]


@dataclass
class Batch:
    subscribers: list[Row] = field(default_factory=list)
    phones: list[Row] = field(default_factory=list)
    contracts: list[Row] = field(default_factory=list)
    invoices: list[Row] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.subscribers) + len(self.phones) + len(self.contracts) + len(self.invoices)


@dataclass
class Candidate:
    """A subscriber picked for a past counter payment, with what they could pay."""

    order: int  # position in the draw, to keep the payments' order deterministic
    account: str
    open_bills: list[OpenBill] = field(default_factory=list)
    # Numbers a prepaid product of each service can be sold for.
    topup_targets: dict[ServiceType, list[str]] = field(default_factory=dict)


def _ascii(text: str) -> str:
    """A name as it appears in an e-mail address."""
    text = text.replace("œ", "oe").replace("æ", "ae").replace("Œ", "Oe").replace("Æ", "Ae")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(char for char in folded.lower() if char.isalnum() or char == "-")


class Population:
    """Draws subscribers batch after batch; ids and numbers run on across batches."""

    def __init__(
        self,
        profile: Profile,
        offer_ids: dict[str, int],
        today: date,
        rng: random.Random,
        candidates: dict[int, int],
        agency_ids: Mapping[str, int] | None = None,
    ) -> None:
        self.profile = profile
        self.today = today
        self.rng = rng
        self._random = rng.random
        self.offer_ids = offer_ids
        # subscriber index -> order in which it was picked for a past payment
        self._candidate_order = candidates
        self.candidates: dict[int, Candidate] = {}
        self.accounts = AccountNumbers(profile.account_base, profile.account_width, rng)
        self.lines = ScatterByPrefix(rng)
        self.invoices = InvoiceMaker(profile, today, rng)
        self.subscribers = 0
        self.phones = 0
        self.contracts = 0

        self._cities: Weighted[CitySpec] = Weighted([(c.weight, c) for c in profile.cities])
        self._bundles: Weighted[tuple[ServiceType, ...]] = Weighted(profile.bundles)
        self._offers: dict[ServiceType, Weighted[OfferSpec]] = {}
        for service in {offer.service for offer in profile.offers}:
            self._offers[service] = Weighted(
                [(o.weight, o) for o in profile.offers if o.service == service]
            )
        self._languages: Weighted[str] = Weighted([(w, lang) for lang, w in profile.languages])
        self._phone_counts: Weighted[int] = Weighted(
            [(weight, count) for count, weight in enumerate(profile.phone_counts)]
        )
        self._mobile_ranges = profile.mobile_ranges
        self._search_names: dict[tuple[str | None, str, str | None], str] = {}
        self._ascii: dict[str, str] = {}
        self._today_iso = today.isoformat()
        # Agencies are written first, in the profile's order, into an empty database:
        # their ids are 1, 2, ... unless the builder hands the real ones in.
        ids = agency_ids or {
            spec.code: number for number, spec in enumerate(profile.agencies, start=1)
        }
        self._agencies_by_city: dict[str, tuple[int, ...]] = {}
        for spec in profile.agencies:
            found = self._agencies_by_city.get(spec.city, ())
            self._agencies_by_city[spec.city] = (*found, ids[spec.code])
        self._head_office = ids[profile.agencies[0].code]

    # -- small draws -------------------------------------------------------------

    def _pick(self, items: Sequence[T]) -> T:
        return items[int(self._random() * len(items))]

    def _digits(self, count: int) -> str:
        return str(int(self._random() * 10**count)).zfill(count)

    def _mobile(self) -> str:
        number_range = self._pick(self._mobile_ranges)
        return number_range.prefix + self._digits(number_range.digits)

    def _search_name(self, first: str | None, last: str, name_ar: str | None) -> str:
        key = (first, last, name_ar)
        folded = self._search_names.get(key)
        if folded is None:
            folded = search_name_for(first, last, name_ar)
            self._search_names[key] = folded
        return folded

    def _email_part(self, name: str) -> str:
        part = self._ascii.get(name)
        if part is None:
            part = self._ascii[name] = _ascii(name)
        return part

    def _name(self) -> tuple[str | None, str, str | None]:
        profile = self.profile
        random_ = self._random
        pool: NamePool = profile.names
        if profile.foreign_names is not None and random_() < profile.foreign_share:
            pool = profile.foreign_names
        if random_() < profile.business_share:
            kind: Name = self._pick(pool.business_kinds)
            owner: Name = self._pick(pool.last)
            name_ar = f"{kind[1]} {owner[1]}" if kind[1] and owner[1] else None
            return None, f"{kind[0]} {owner[0]}", name_ar
        first: Name = self._pick(pool.male if random_() < 0.5 else pool.female)
        last: Name = self._pick(pool.last)
        name_ar = None
        if first[1] and last[1] and random_() < profile.arabic_share:
            name_ar = f"{first[1]} {last[1]}"
        return first[0], last[0], name_ar

    def _address(self) -> str:
        random_ = self._random
        template = self._pick(self.profile.address_formats)
        return template.format(
            n=1 + int(random_() * 120),
            street=self._pick(self.profile.streets),
            cite=self._pick((150, 200, 500, 1000, 1200)),
            block=chr(ord("A") + int(random_() * 12)),
            flat=1 + int(random_() * 40),
            lot=self._pick(("El Bahia", "Les Oliviers", "El Yasmine", "Ennasr", "Les Érables")),
        )

    # -- one subscriber ---------------------------------------------------------

    def batch(self, count: int) -> Batch:
        batch = Batch()
        for _ in range(count):
            self._subscriber(batch)
        return batch

    def batches(self, total: int, size: int) -> Generator[Batch, None, None]:
        done = 0
        while done < total:
            batch = self.batch(min(size, total - done))
            done += len(batch.subscribers)
            yield batch

    def _subscriber(self, batch: Batch) -> None:
        profile = self.profile
        random_ = self._random
        today = self.today
        index = self.subscribers
        subscriber_id = index + 1
        self.subscribers += 1
        account = self.accounts.next()

        first, last, name_ar = self._name()
        city = self._cities.draw(random_())
        email = None
        if random_() < profile.email_share:
            if first is None:  # a business
                local = f"contact.{self._email_part(last)}"
            else:
                local = f"{self._email_part(first)}.{self._email_part(last)}"
            if random_() < 0.6:
                local += str(1 + int(random_() * 99))
            email = f"{local}@{self._pick(profile.email_domains)}"

        candidate = None
        order = self._candidate_order.get(index)
        if order is not None:
            candidate = Candidate(order, account)
            self.candidates[index] = candidate

        new_subscriber = random_() < NEW_SUBSCRIBER_SHARE
        if new_subscriber:
            created_on = today - timedelta(days=1 + int(random_() * 20))
        else:
            created_on = today - timedelta(days=30 + int(random_() * HISTORY_DAYS))

        address = self._address()
        postal_code = self._pick(city.postal_codes)
        batch.subscribers.append(
            (
                subscriber_id,
                account,
                first,
                last,
                name_ar,
                self._search_name(first, last, name_ar),
                address,
                city.name,
                postal_code,
                email,
                self._languages.draw(random_()),
                created_on.isoformat(),
            )
        )

        for position in range(self._phone_counts.draw(random_())):
            if position == 1 and random_() < 0.3:
                number = (
                    profile.calling_code
                    + self._pick(city.area_codes)
                    + self._digits(profile.fixed_digits)
                )
                kind = FIXED
            else:
                number = self._mobile()
                kind = MOBILE
                if candidate is not None:
                    candidate.topup_targets.setdefault(ServiceType.MOBILE, []).append(number)
            self.phones += 1
            batch.phones.append((self.phones, subscriber_id, number, kind))

        cycle = int(random_() * len(self.invoices.calendar))
        fixed_line: str | None = None
        fixed_area = ""
        # No draw here: the same seed still gives the same subscribers.
        serving = self._agencies_by_city.get(city.name)
        agency_id = serving[subscriber_id % len(serving)] if serving else self._head_office
        for position, service in enumerate(self._bundles.draw(random_())):
            offer = self._offers[service].draw(random_())
            line = meter = None
            exchange: str | None = None
            if service in LINE_SERVICES:
                if service == ServiceType.ADSL and fixed_line is not None:
                    line = fixed_line  # ADSL rides on the subscriber's telephone line
                    area = fixed_area
                else:
                    area = self._pick(city.area_codes)
                    line = self.lines.next(profile.calling_code + area, profile.fixed_digits)
                if service == ServiceType.FIXED_LINE:
                    fixed_line, fixed_area = line, area
                # The exchange of the area and district: "21-16016" (Algiers, 16016).
                exchange = f"{area}-{postal_code}"
            elif service in MOBILE_SERVICES:
                number_range = self._pick(self._mobile_ranges)
                line = self.lines.next(number_range.prefix, number_range.digits)
            else:
                meter = self.lines.next(profile.meter_prefixes[service], 10)
            self._contract(
                batch,
                subscriber_id=subscriber_id,
                account=account,
                position=position,
                service=service,
                offer=offer,
                line=line,
                meter=meter,
                created_on=created_on,
                pending=new_subscriber or random_() < EXTRA_REQUEST_SHARE,
                cycle=cycle,
                candidate=candidate,
                place=(agency_id, city.name, exchange),
            )

    def _contract(
        self,
        batch: Batch,
        *,
        subscriber_id: int,
        account: str,
        position: int,
        service: ServiceType,
        offer: OfferSpec,
        line: str | None,
        meter: str | None,
        created_on: date,
        pending: bool,
        cycle: int,
        candidate: Candidate | None,
        place: tuple[int, str, str | None],
    ) -> None:
        random_ = self._random
        today = self.today
        self.contracts += 1
        contract_id = self.contracts
        number = f"{self.profile.contract_prefix}{account}{position + 1:02d}"
        activated = suspended_on = terminated = None

        if pending:
            status = PENDING
            requested = max(created_on, today - timedelta(days=1 + int(random_() * 20)))
        else:
            if position == 0:
                requested = created_on
            else:
                span = (today - timedelta(days=45) - created_on).days
                requested = created_on + timedelta(days=int(random_() * max(span, 0)))
            activated = requested + timedelta(days=2 + int(random_() * 14))
            draw = random_()
            status = (
                ACTIVE
                if draw < ACTIVE_BELOW
                else (SUSPENDED if draw < SUSPENDED_BELOW else TERMINATED)
            )
            if status == SUSPENDED and (today - activated).days < 200:
                status = ACTIVE
            if status == TERMINATED:
                span = (today - timedelta(days=10) - activated).days - 60
                if span > 0:
                    terminated = activated + timedelta(days=60 + int(random_() * span))
                else:
                    status = ACTIVE
            capture = candidate.open_bills if candidate is not None else None
            suspended_on = self.invoices.contract_invoices(
                batch.invoices,
                contract_id=contract_id,
                subscriber_id=subscriber_id,
                account=account,
                offer=offer,
                cycle=cycle,
                activated=activated,
                terminated=terminated,
                suspended=status == SUSPENDED,
                capture=capture,
            )
            if status == SUSPENDED and suspended_on is None:
                status = ACTIVE

        if candidate is not None and status in (ACTIVE, SUSPENDED):
            target = line or meter
            if target is not None:
                candidate.topup_targets.setdefault(service, []).append(target)

        batch.contracts.append(
            (
                contract_id,
                number,
                subscriber_id,
                service.value,
                line,
                meter,
                self.offer_ids[offer.code],
                status,
                requested.isoformat(),
                activated.isoformat() if activated else None,
                suspended_on.isoformat() if suspended_on else None,
                terminated.isoformat() if terminated else None,
                *place,
            )
        )


def batches_in_background(
    population: Population, total: int, batch_size: int, *, ahead: int = 2
) -> Generator[Batch, None, None]:
    """The population's next batches, drawn in a thread while the caller writes.

    Worth it for PostgreSQL, where the server does the indexing in its own
    process while the next batch is drawn (measured: 12 % faster). Not for
    SQLite: the writer needs the GIL back after every statement step, and
    waiting for the drawing thread to let go of it ate the gain. A single
    producer keeps the draw order, hence determinism; at most ``ahead``
    batches wait in memory.
    """
    handoff: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item: Batch | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in population.batches(total, batch_size):
                if not put(batch):
                    return
            put(None)
        except BaseException as error:  # handed to the consumer, re-raised there
            put(error)

    producer = threading.Thread(target=produce, name="demo-population", daemon=True)
    producer.start()
    try:
        while True:
            item = handoff.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        producer.join()
