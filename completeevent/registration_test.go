package completeevent_test

import (
	"testing"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

func TestRegistrationStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status                       ce.RegistrationStatus
		valid, holdsSeat, awaitsPaid bool
	}{
		{ce.RegistrationPendingPayment, true, true, true},
		{ce.RegistrationPaymentProcessing, true, true, true},
		{ce.RegistrationConfirmed, true, true, false},
		{ce.RegistrationCancelled, true, false, false},
		{"", false, false, false},
		{"Confirmed", false, false, false},
	}
	for _, tt := range tests {
		if got := tt.status.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v, want %v", tt.status, got, tt.valid)
		}
		if got := tt.status.HoldsSeat(); got != tt.holdsSeat {
			t.Errorf("%q.HoldsSeat() = %v, want %v", tt.status, got, tt.holdsSeat)
		}
		if got := tt.status.AwaitsPayment(); got != tt.awaitsPaid {
			t.Errorf("%q.AwaitsPayment() = %v, want %v", tt.status, got, tt.awaitsPaid)
		}
	}
}
