"""Values for the API's own string formats (app.numbers.e164, app.trunks.schemas,
app.hours.schemas), loaded by
schemathesis (`hooks` in tests/api/schemathesis.toml). A regular expression cannot say which
numbers are valid for their country, so the document names a format and this says what is
valid: example numbers of every region from `phonenumbers`, the data the API validates with."""

from __future__ import annotations

import phonenumbers
import schemathesis
from hypothesis import strategies as st

from app.hours.schemas import TIME_ZONE_FORMAT, time_zones
from app.numbers.e164 import E164_FORMAT, TRANSFER_TARGET_FORMAT
from app.trunks.schemas import NETWORK_FORMAT

KINDS = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)


def _example_numbers() -> list[str]:
    found = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in KINDS:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                found.add(phonenumbers.format_number(example,
                                                     phonenumbers.PhoneNumberFormat.E164))
    return sorted(found)


e164 = st.sampled_from(_example_numbers())
sip_uri = st.builds("sip:{}@{}".format, st.from_regex(r"[a-z][a-z0-9.]{0,15}", fullmatch=True),
                    st.sampled_from(["pbx.example.com", "10.0.0.7", "sip.example.org:5061"]))
networks = st.one_of(
    st.ip_addresses().map(str),
    st.builds(lambda ip, bits: f"{ip}/{bits}", st.ip_addresses(v=4), st.integers(0, 32)),
    st.builds(lambda ip, bits: f"{ip}/{bits}", st.ip_addresses(v=6), st.integers(0, 128)),
)

schemathesis.openapi.format(E164_FORMAT, e164)
schemathesis.openapi.format(TRANSFER_TARGET_FORMAT,
                            st.one_of(e164, e164.map("tel:{}".format), sip_uri))
schemathesis.openapi.format(NETWORK_FORMAT, networks)
schemathesis.openapi.format(TIME_ZONE_FORMAT, st.sampled_from(sorted(time_zones())))


@schemathesis.hook
def filter_case(context: schemathesis.HookContext, case: schemathesis.Case) -> bool:
    """schemathesis 4.32.5's stateful phase can pick `null` out of the values a link finds
    (a number's `trunk_id: null` for `/trunks/{trunk_id}`) and send "None" as an id: a
    request of its own making, not of the document's. Such cases are dropped."""
    return all(value is not None for value in (case.path_parameters or {}).values())
