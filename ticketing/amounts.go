package ticketing

import ce "github.com/completeevent/completeevent-go/completeevent"

// AmountChecker is implemented by a Payments provider that cannot charge
// every amount of every currency, such as Stripe, which charges at most
// 999,999 ISK and KWD only in multiples of 0.010. When Options.Payments
// implements it, the Service asks it about each amount it may have to
// charge before accepting it, so that it never takes a price or a bid the
// provider says it cannot charge: a tier's price that is not zero, an
// auction item's starting bid and minimum increment, and each bid. A
// refused amount is an ErrInvalid error naming the field, with the
// provider's message.
//
// The minimum increment is checked as an amount of the item's currency:
// under a rule "multiples of N", a payable bid plus a payable increment is
// payable, so the least bid an item asks for is never one the provider
// refuses. Under a rule "at most M", bids above M are refused as they
// come, and the highest bid below it wins.
type AmountChecker interface {
	// CheckAmount returns nil if the provider can charge amount, a
	// positive amount in a valid currency, and otherwise an error whose
	// message (completeevent.ErrorMessage) tells a person which amounts of
	// the currency it charges, e.g. "KWD amounts must be multiples of
	// 0.010 for card payments". It must not block: the Service calls it
	// inside storage transactions.
	CheckAmount(amount ce.Money) error
}

// checkAmount returns nil if the Service's Payments can charge m, or does
// not implement AmountChecker, and otherwise an ErrInvalid error naming
// field with the provider's reason.
func (s *Service) checkAmount(field string, m ce.Money) error {
	c, ok := s.payments.(AmountChecker)
	if !ok {
		return nil
	}
	if err := c.CheckAmount(m); err != nil {
		return &ce.Error{Kind: ce.ErrInvalid, Field: field, Message: ce.ErrorMessage(err), Err: err}
	}
	return nil
}
