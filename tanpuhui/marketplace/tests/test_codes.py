from hypothesis import given
from hypothesis import strategies as st

from tanpuhui.marketplace import codes
from tanpuhui.marketplace.tests.factories import make_uscc


def test_voucher_codes_are_12_symbols_and_self_checking():
    seen = {codes.voucher_code_new() for _ in range(2000)}
    assert len(seen) == 2000
    for code in list(seen)[:50]:
        assert len(code) == 12
        assert codes.voucher_code_normalise(code) == code
        # display form, lower case and O/I/L confusions are accepted
        shown = f"{code[:4]}-{code[4:8]}-{code[8:]}".lower()
        assert codes.voucher_code_normalise(shown) == code


@given(st.integers(min_value=0, max_value=11), st.sampled_from(codes.ALPHABET))
def test_a_single_changed_symbol_is_refused(position, symbol):
    code = "7K3QZ9M2XA4" + "0"
    code = code[:11] + codes._check_symbol(code[:11])
    changed = code[:position] + symbol + code[position + 1 :]
    if changed != code and abs(codes.ALPHABET.index(symbol) - codes.ALPHABET.index(code[position])) != 31:
        assert codes.voucher_code_normalise(changed) is None


def test_malformed_codes():
    for raw in ["", "abc", "X" * 200, "!!!!-!!!!-!!!!", None, 12, "UUUUUUUUUUUU"]:
        assert codes.voucher_code_normalise(raw) is None


def test_uscc_check_digit():
    assert codes.uscc_is_valid("91350100M000100Y43")  # a published example code
    assert codes.uscc_is_valid(make_uscc(7))
    assert not codes.uscc_is_valid("91350100M000100Y44")
    assert not codes.uscc_is_valid("123")


def test_resident_token_round_trip_and_forgery(resident, other_resident):
    token = codes.resident_token(resident)
    assert codes.resident_token_read(token) == str(resident.pk)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert codes.resident_token_read(forged) is None
    assert codes.resident_token_read(str(resident.pk)) is None
    assert codes.resident_token_read("TPH1:" + "x" * 300) is None


# --- the short personal code ---------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10_000))
def test_personal_codes_never_contain_ambiguous_characters(_n):
    code = codes.personal_code_new()
    assert len(code) == codes.PERSONAL_CODE_LEN == 9
    assert not set(code) & {"0", "O", "1", "I"}
    assert codes.personal_code_normalise(code) == code
    shown = codes.personal_code_display(code)
    assert shown == f"{code[:3]}-{code[3:6]}-{code[6:]}" and not set(shown) & codes.PERSONAL_AMBIGUOUS
    assert codes.personal_code_normalise(shown.lower().replace("-", " ")) == code


def test_the_personal_alphabet_has_no_ambiguous_character():
    assert not set(codes.PERSONAL_ALPHABET) & codes.PERSONAL_AMBIGUOUS
    assert len(set(codes.PERSONAL_ALPHABET)) == len(codes.PERSONAL_ALPHABET) == 31


@given(
    st.text(alphabet=codes.PERSONAL_ALPHABET, min_size=8, max_size=8),
    st.integers(min_value=0, max_value=8),
    st.sampled_from(codes.PERSONAL_ALPHABET),
)
def test_a_single_mistyped_symbol_of_a_personal_code_is_refused(body, position, symbol):
    code = body + codes._personal_check(body)
    changed = code[:position] + symbol + code[position + 1 :]
    assert codes.personal_code_normalise(changed) == (code if changed == code else None)


@given(
    st.text(alphabet=codes.PERSONAL_ALPHABET, min_size=8, max_size=8), st.integers(min_value=0, max_value=7)
)
def test_swapping_two_neighbours_of_a_personal_code_is_refused(body, position):
    code = body + codes._personal_check(body)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if swapped != code:
        assert codes.personal_code_normalise(swapped) is None


def test_what_is_not_a_personal_code():
    for raw in ["", "ABCDEFGH", "0" * 9, "O" * 9, "X" * 40, None, 12, "ABC-DEF-GH1"]:
        assert codes.personal_code_normalise(raw) is None
    assert codes.looks_personal("TPH1:whatever") and not codes.looks_personal("JA0V-CFP7-KQP2")
