// Package recurrence duplicates events and makes recurring series of them:
// the help page's "Duplicate event" button and its "Create as recurring
// instance" option, the series view, and series created at once from an
// RFC 5545 recurrence rule. A Service works on any storage.Store; Expand
// computes the dates of a rule without one.
//
// # Series and copies
//
// A recurring series is named by the id of its first event, the one it was
// started from (a later copy may be placed before it), and every event of
// it, the first included, carries that id as its SeriesID. The
// first time an event gets a recurring instance (Duplicate with
// RecurringInstance, or CreateSeries), its SeriesID is set to its own id.
// Copying an event that is already in a series puts the copy in that same
// series. Every copy remembers the event it was made from in
// DuplicatedFrom, and starts as a draft.
//
// A copy holds everything the event has: its title, description, venue,
// time zone and settings, and every ticket tier with its price, currency,
// capacity, position, description and join URL (a virtual tier stays
// virtual), under new ids, in one transaction. Records about people, such
// as registrations and check-ins, are never copied.
//
// # How dates move
//
// The copy starts at the new start and lasts exactly as long as the
// original (end = new start + original duration, in absolute time, so a
// 19:00–22:00 event lasts three hours across a daylight-saving change
// too). Every other date of the event (each tier's sales window, the
// registration window) moves by the same change of local wall-clock time
// as the start, in the event's time zone. For example, the tier of a
// Europe/Amsterdam event at 19:00 on Saturday 24 October 2026 goes on sale
// at 09:00 on Monday 19 October; copied to 19:00 on Tuesday 27 October,
// after the clocks went back, the copy's tier goes on sale at 09:00 on
// Thursday 22 October: the same local times, though one hour more apart
// in absolute time. A date
// during the event (from its start to its end) keeps its exact distance to
// the start instead, so that it stays within the copy. A moved date whose
// local time does not exist, skipped when clocks go forward, is read with
// the UTC offset in force before the change (02:30 becomes 03:30 the new
// time); one that exists twice, when clocks go back, is the earlier of the
// two. Both are how RFC 5545 reads a local date-time. A new start more
// than 100 years from the original's is refused.
//
// # Recurrence rules
//
// Expand, Preview and CreateSeries take a Recurrence: an RRULE of this
// subset of RFC 5545 (section 3.3.10), plus extra dates (like RDATE) and
// excluded dates (like EXDATE):
//
//   - FREQ=DAILY, WEEKLY, MONTHLY or YEARLY; required.
//   - INTERVAL: every n-th period; defaults to 1.
//   - COUNT or UNTIL, exactly one of them, so that the rule ends. COUNT
//     counts the event itself, which RFC 5545 makes the first occurrence
//     (DTSTART), and occurrences later excluded. UNTIL is inclusive: a
//     date such as 20261231 is a local date of the event's time zone, a
//     date-time must be in UTC (20261231T230000Z), as RFC 5545 requires.
//   - BYDAY: weekdays, with an ordinal (2TU, -1FR) in MONTHLY and YEARLY
//     rules, counted within the month, or within the year in a YEARLY rule
//     without BYMONTH.
//   - BYMONTHDAY: days of the month, negative ones counted from its end
//     (-1 is the last day).
//   - BYMONTH: months, 1 to 12.
//   - WKST: the first day of the week for WEEKLY rules with an INTERVAL;
//     defaults to MO.
//
// Any other part (BYSETPOS, BYYEARDAY, BYWEEKNO, BYHOUR...) is refused by
// name, not ignored, as are FREQ=HOURLY and finer, BYDAY ordinals in DAILY
// and WEEKLY rules, and BYMONTHDAY in WEEKLY ones.
//
// Occurrences are computed in the event's local wall-clock time: each
// starts at the event's local time of day and lasts as long as the event.
// A date that does not exist, such as 30 February or the 31st of a short
// month, is skipped, as RFC 5545 requires. An occurrence whose local time
// does not exist, skipped by a daylight-saving change, is skipped too and
// not counted, as RFC 5545 requires; Recurrence.Gap can keep it shifted
// instead (GapShift). A local time that exists twice is the earlier.
//
// A recurrence is refused if it yields no occurrence after the event, or
// more than 500 with the event (Options.MaxOccurrences), or if its UNTIL
// is more than 100 years after the event or its COUNT is not reached
// within them.
//
// # Errors
//
// Expected failures match the completeevent error kinds with errors.Is:
// ErrInvalid, naming the field at fault (completeevent.ErrorField) with a
// message naming the part of a rule at fault; ErrNotFound for an event that
// does not exist or belongs to another organization, never told apart; and
// ErrConflict. Anything else is a storage failure.
package recurrence
