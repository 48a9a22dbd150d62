"""DRF's own messages that the API answers with and that DRF's Indonesian
catalog lacks ("A valid number is required.", "Must be a valid UUID.").

They are marked here, never used from here, so that ``makemessages`` keeps
them in the project's catalog, which comes before DRF's (``LOCALE_PATHS``):
their Indonesian texts are in ``locale/id/LC_MESSAGES/django.po``. The
messages DRF's catalog already translates are left to it.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

MESSAGES = (
    # Fields.
    gettext_noop("A valid number is required."),
    gettext_noop("Datetime value out of range."),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop("Expected a date but got a datetime."),
    gettext_noop("Expected a datetime but got a date."),
    gettext_noop('Expected a list of items but got type "{input_type}".'),
    gettext_noop("Incorrect type. Expected pk value, received {data_type}."),
    gettext_noop("Integer value too large to convert to float"),
    gettext_noop("Invalid data. Expected a dictionary, but got {datatype}."),
    gettext_noop('Invalid datetime for the timezone "{timezone}".'),
    gettext_noop("Must be a valid UUID."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("No filename could be determined."),
    gettext_noop("Not a valid string."),
    gettext_noop("String value too large."),
    gettext_noop(
        "The submitted data was not a file. Check the encoding type on the form."
    ),
    gettext_noop("This dictionary may not be empty."),
    gettext_noop("This list may not be empty."),
    gettext_noop("This value does not match the required pattern."),
    # Requests.
    gettext_noop("Malformed request."),
    gettext_noop('Method "{method}" not allowed.'),
)
