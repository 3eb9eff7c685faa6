package analytics

import "errors"

// ErrInsufficientData is returned by the fitting functions when the data
// cannot identify the model, e.g. fewer than MinRepeatCustomers customers
// with repeat purchases.
var ErrInsufficientData = errors.New("analytics: insufficient data to fit model")

// ErrFitFailed is returned when the optimizer ends at a non-finite
// likelihood or parameter value.
var ErrFitFailed = errors.New("analytics: model fit failed")

// ErrInvalidParams is returned when model parameters are not finite and
// strictly positive.
var ErrInvalidParams = errors.New("analytics: invalid model parameters")

// ErrInvalidInput is returned when customer inputs are out of range, e.g.
// a negative frequency or a recency larger than the customer's age.
var ErrInvalidInput = errors.New("analytics: invalid input")

// ErrNumerical is returned when a quantity cannot be evaluated to a finite
// value with the available numerical methods.
var ErrNumerical = errors.New("analytics: numerical evaluation failed")

// ErrInfiniteMeanSpend is returned by FitGammaGamma when the fitted q is at
// most 1, in which case the Gamma-Gamma population mean spend is infinite
// and the model cannot be used for spend predictions.
var ErrInfiniteMeanSpend = errors.New("analytics: gamma-gamma mean spend is infinite (q <= 1)")

// MinRepeatCustomers is the minimum number of customers with at least one
// repeat transaction required to fit the BG/NBD and Gamma-Gamma models.
const MinRepeatCustomers = 3
