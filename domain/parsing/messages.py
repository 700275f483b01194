"""Every message the parsers show a person: English gettext msgids with `{name}` fields."""

from __future__ import annotations

from domain.errors import N_

NO_AMOUNT = N_(
    "I could not read an amount in “{text}”. Write it like 5000元, 3万元, 3000公斤 or 300 boxes."
)
NO_NUMBER = N_("I could not read a number in “{text}”. Write it like 300, 3000, 3万 or 三千.")
NOT_POSITIVE = N_("The amount in “{text}” must be more than zero.")
TOO_LARGE = N_("The amount in “{text}” is too large: the limit is {limit}.")
TOO_MANY_DECIMALS = N_(
    "The amount in “{text}” has too many decimal places: at most {places} are allowed."
)
NOT_WHOLE = N_("The amount in “{text}” must be a whole number.")
MORE_THAN_ONE = N_(
    "I found more than one amount in “{text}”. "
    "Write one item with one amount, like 3000公斤消毒液 or 5万元."
)
TOO_LONG = N_("This text is too long ({length} characters); write at most {limit}.")
NO_DATE = N_(
    "I could not read a date in “{text}”. "
    "Write it like 2月20日, 2026-02-20, Feb 20, 5天后 or tomorrow."
)
NO_SUCH_DATE = N_("There is no such date: “{text}”.")
ROUGH = N_(
    "“{part}” in “{text}” is not an amount I can record. How much is it? "
    "Write the number, like 10000元 or 约1万元."
)
NUMERALS_LEFT = N_(
    "I could not read all of “{text}” as one amount: “{part}” is left over. "
    "Write it in one piece, like 925.20元, 玖佰贰拾伍元贰角 or 3000公斤消毒液."
)
UNIT_PRICE_ALONE = N_(
    "“{text}” is a price per piece. Write the quantity too, like N95口罩 5000个 每个1.5元."
)
NEXT_YEAR = N_(
    "“{text}” has already passed this year. If you mean {date}, write the year too, "
    "like {date}."
)
RECIPIENT = N_(
    "“{text}” also says whom it is for (“{part}”). Write only what you give, "
    "like 5万元 or N95口罩 500个; the recipient is not part of the amount."
)

ALL = (
    NO_AMOUNT,
    NO_NUMBER,
    NOT_POSITIVE,
    TOO_LARGE,
    TOO_MANY_DECIMALS,
    NOT_WHOLE,
    MORE_THAN_ONE,
    TOO_LONG,
    NO_DATE,
    NO_SUCH_DATE,
    ROUGH,
    NUMERALS_LEFT,
    UNIT_PRICE_ALONE,
    NEXT_YEAR,
    RECIPIENT,
)

MAX_TEXT_LENGTH = 500
