/**
 * Admission control in front of the connect flow: a cap on connects in flight and a check of the
 * heap left after the latest garbage collection. Beyond either, a new connect is refused at once
 * with 503 {@code overloaded} and {@code Retry-After}, before it costs anything (no body read, no
 * credential check, no upstream call, no ledger write), so that an overloaded gateway keeps
 * finishing the connects it admitted instead of running out of memory.
 */
package dev.avatargateway.gateway.core.internal.admission;
