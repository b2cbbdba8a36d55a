// Typed, framework-free errors the domain throws; the HTTP layer maps them to {code, error}.

/** Bad input (HTTP 400). The message names the field and the rule, e.g. "width must be a positive number (metres)". */
export class InvalidInput extends Error {
  readonly field: string;
  readonly rule: string;

  constructor(field: string, rule: string) {
    super(`${field} ${rule}`);
    this.name = 'InvalidInput';
    this.field = field;
    this.rule = rule;
  }
}

/** Absent, or not visible to the caller (HTTP 404): existence is never revealed. */
export class NotFound extends Error {
  readonly what: string;

  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'NotFound';
    this.what = what;
  }
}

/** Locked or conflicting state (HTTP 409), e.g. a deposit in a closed month. */
export class Conflict extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'Conflict';
    this.reason = reason;
  }
}

/** The caller's role may not do this (HTTP 403). */
export class Forbidden extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'Forbidden';
    this.reason = reason;
  }
}

/** An upstream server the request needed did not answer as expected (HTTP 502); the message says what happened. */
export class UpstreamUnavailable extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'UpstreamUnavailable';
    this.reason = reason;
  }
}
