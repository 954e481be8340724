package completeevent

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Organization owns events, API keys and webhook endpoints. Every record of
// an organization is invisible to every other organization.
type Organization struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
}

// Validate reports an ErrInvalid error if o has no name or a name longer
// than 200 characters.
func (o *Organization) Validate() error {
	return validateText("name", o.Name, true, maxNameLength)
}

// APIKey grants access to one organization's data. Only the SHA-256 hash of
// the token is stored: the token itself is shown once, when it is made.
type APIKey struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organizationId"`
	// Name says what the key is for, e.g. "demo" or "CRM sync".
	Name string `json:"name"`
	// Hash is HashAPIKeyToken of the token.
	Hash      string    `json:"-"`
	CreatedAt time.Time `json:"createdAt"`
}

// apiKeyTokenPrefix starts every API key token, so that secret scanners can
// recognize a leaked one.
const apiKeyTokenPrefix = "ce_"

// NewAPIKey returns a new random API key token for the organization and the
// key record that stores its hash. Give the token to the user once; it
// cannot be recovered from the record.
func NewAPIKey(organizationID, name string, now time.Time) (token string, key *APIKey) {
	token = apiKeyTokenPrefix + NewToken(32)
	return token, &APIKey{
		ID:             NewID(PrefixAPIKey, now),
		OrganizationID: organizationID,
		Name:           name,
		Hash:           HashAPIKeyToken(token),
		CreatedAt:      now,
	}
}

// HashAPIKeyToken returns the lowercase hex SHA-256 of token: the value
// stored in APIKey.Hash and looked up when a request presents the token.
// Tokens carry 256 random bits, so a fast hash suffices.
func HashAPIKeyToken(token string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return hex.EncodeToString(sum[:])
}
