package store

import "time"

// FailedLoginDelay is how long a server waits before it answers the nth
// failed login on one connection (n counts from 1): nothing for the first
// three, then 1 s, 2 s, 4 s and 8 s from then on. Real servers slow a
// password guesser down the same way (Dovecot's auth_failure_delay,
// Postfix's smtpd_error_sleep_time and soft error limit), while a person
// who mistyped twice notices nothing. A teaching server on loopback needs
// no lockout; the growing wait is what a learner should meet.
func FailedLoginDelay(n int) time.Duration {
	if n <= 3 {
		return 0
	}
	return time.Second << min(n-4, 3)
}
