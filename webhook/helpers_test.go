package webhook_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/completeevent/completeevent-go/webhook"
)

// testSecret is the Standard Webhooks specification's example secret, in
// our "whsec_" form.
const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// otherSecret is a second secret, for rotation and wrong-key cases.
const otherSecret = "whsec_c2Vjb25kIHNlY3JldCBmb3IgdGVzdGluZyE="

// testNow is the fixed clock of the tests.
func testNow() time.Time { return time.Date(2026, 4, 15, 14, 32, 0, 0, time.UTC) }

// envelopeAt returns a canonical body whose timestamp member is ts, as is.
func envelopeAt(ts string) []byte {
	return fmt.Appendf(nil, `{"id":"msg_test1","event":"ping","timestamp":%q,"data":{"endpointId":"whe_test"}}`, ts)
}

// validBody is a canonical body signed at testNow.
func validBody() []byte { return envelopeAt(testNow().Format(time.RFC3339)) }

// sign returns the X-CompleteEvent-Signature of body under secret.
func sign(secret string, body []byte) string { return webhook.NewSigner(secret).Sign(body) }

// newVerifier returns a verifier for secrets whose clock reads testNow.
func newVerifier(secret string, previous ...string) *webhook.HMACVerifier {
	v := webhook.NewVerifier(secret, previous...)
	v.Now = testNow
	return v
}

// signedRequest returns an incoming request carrying body and, unless sig
// is empty, the signature header sig.
func signedRequest(body []byte, sig string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", webhook.ContentType)
	if sig != "" {
		r.Header.Set(webhook.HeaderSignature, sig)
	}
	return r
}
