// Package webhook posts the CRM's events to partners' HTTP endpoints.
//
// It has three parts:
//
//   - Signing (secret.go): every request is signed per the Standard Webhooks
//     scheme (https://www.standardwebhooks.com/) with the endpoint's secret,
//     in the webhook-id, webhook-timestamp and webhook-signature headers.
//     Receivers check requests with Verify or any Standard Webhooks library.
//   - An SSRF-safe HTTP client (dialer.go): requests never reach loopback,
//     private, link-local, metadata or otherwise non-public addresses. The
//     address is checked when an endpoint is saved (CheckURL) and again on
//     every connection (NewClient), so a host name that later resolves
//     elsewhere (DNS rebinding) is still refused. Redirects are not followed
//     and no proxy is used.
//   - Endpoint management (Service, endpoints.go) and the delivery Worker
//     (worker.go), which claims due deliveries from the database, posts them,
//     records each attempt and retries failures on a schedule, at least once
//     across restarts and across any number of instances.
//
// # Request
//
// Each delivery is a POST with content-type application/json and the
// headers
//
//	webhook-id:        the event ID ("evt_…"), the same on every attempt,
//	                   so receivers can deduplicate
//	webhook-timestamp: the Unix time of this attempt, in seconds
//	webhook-signature: "v1,<base64 HMAC-SHA256>", or two such signatures
//	                   separated by a space while a rotated secret's previous
//	                   value is still valid
//	user-agent:        headless-crm-webhooks/1
//
// and the body (see Payload)
//
//	{
//	  "type": "deal.won",
//	  "timestamp": "2025-06-02T12:00:00.123456Z",
//	  "data": {
//	    "eventId": "evt_…",
//	    "eventType": "DEAL_WON",
//	    "subjectType": "Deal",
//	    "subjectId": "deal_…",
//	    "actorKind": "USER",
//	    "actorId": "usr_…",
//	    "object": { … the record after the change … },
//	    "changes": { … for updates, the changed fields … }
//	  }
//	}
//
// "type" is the dotted event name and "timestamp" when the event happened
// (UTC, RFC 3339). The keys of the event's own data ("object", "changes",
// …) sit in "data" next to the fixed keys above, which take precedence.
//
// # Delivery
//
// A 2xx answer is a success. Anything else — another status, a 3xx
// redirect, a timeout, a refused address — is a failure, retried after 5s,
// 5m, 30m, 2h, 5h, 10h and 24h (±20% jitter; a 429 or 503 answer's
// Retry-After is honoured, up to 24h), then marked FAILED. An endpoint
// whose deliveries have failed without a single success for five days is
// disabled, and its pending deliveries marked FAILED.
package webhook
