package wallet

import "github.com/scanpay/scanpay"

// Errors the wallet returns. None carries a PIN, a hash or a token.
var (
	// ErrInvalidCredentials is a sign-in with an unknown phone, a wrong PIN
	// or a locked PIN; the three are indistinguishable on purpose.
	ErrInvalidCredentials = &scanpay.Error{Kind: scanpay.KindUnauthenticated, Code: "invalid_credentials",
		Message: "the phone number or PIN is incorrect (after too many wrong PINs in a row, signing in is refused for a while)"}
	// ErrInvalidSession is any session token Authenticate refuses.
	ErrInvalidSession = &scanpay.Error{Kind: scanpay.KindUnauthenticated, Code: "invalid_session",
		Message: "the session is invalid or has expired; sign in again"}
	// ErrIncorrectPIN is a wrong PIN where the caller is already known.
	ErrIncorrectPIN = &scanpay.Error{Kind: scanpay.KindDeclined, Code: "incorrect_pin", Param: "pin",
		Message: "the PIN is incorrect"}
	// ErrPINLocked refuses every PIN, right or wrong, after too many wrong
	// ones in a row, until the lockout ends.
	ErrPINLocked = &scanpay.Error{Kind: scanpay.KindForbidden, Code: "pin_locked",
		Message: "too many incorrect PINs; try again later"}
	// ErrPINRequired is a payment above the wallet's no-PIN limit sent
	// without the PIN.
	ErrPINRequired = &scanpay.Error{Kind: scanpay.KindDeclined, Code: "pin_required", Param: "pin",
		Message: "this amount is above the wallet's no-PIN limit; the PIN is required"}
	// ErrPINTooSimple is a new PIN that is one digit repeated or a straight run.
	ErrPINTooSimple = &scanpay.Error{Kind: scanpay.KindInvalid, Code: "pin_too_simple", Param: "pin",
		Message: "the PIN is too easy to guess: no repeated digit or straight run like 123456"}
	// ErrWalletFrozen refuses payments and withdrawals of a wallet reported
	// lost, until it is unfrozen with the PIN.
	ErrWalletFrozen = &scanpay.Error{Kind: scanpay.KindForbidden, Code: "wallet_frozen",
		Message: "the wallet is frozen; unfreeze it with the PIN first"}
	// ErrPhoneTaken is a second account for a phone number.
	ErrPhoneTaken = &scanpay.Error{Kind: scanpay.KindConflict, Code: "phone_already_registered", Param: "phone",
		Message: "a wallet with this phone number exists already"}
	// ErrBankDeclined is the linked bank refusing a charge or a payout.
	ErrBankDeclined = &scanpay.Error{Kind: scanpay.KindDeclined, Code: "bank_declined",
		Message: "the bank declined the transfer"}
)
