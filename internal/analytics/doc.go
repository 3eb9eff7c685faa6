// Package analytics implements customer-lifetime-value models as pure
// functions over purchase logs: per-customer summaries, the BG/NBD
// purchase-frequency model (Fader, Hardie & Lee 2005), the Gamma-Gamma
// spend model (Fader & Hardie 2013), discounted CLV, RFM segmentation and a
// composite customer value score.
//
// The package has no database or API dependencies. Every prediction it
// exports is finite: numerical failures are reported as errors by the
// "Checked" variants and replaced by documented fallbacks elsewhere.
package analytics
