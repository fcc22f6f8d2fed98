/** The exit codes of `cipherlayer`, documented in the README; scripts may rely on them. */
export const ExitCode = {
  /** Done. */
  Ok: 0,
  /** The command ran and the answer is no: verification found problems, a job failed, decryption failed. */
  Failure: 1,
  /** Bad arguments: unknown command or option, missing or invalid value. */
  Usage: 2,
  /** A file or key is missing, unreadable, malformed or too open (permissions); invalid configuration. */
  Input: 3,
  /** Something needed could not be reached or run: the database, a keyring service, openssl, npm. */
  Unavailable: 4,
  /** A bug in cipherlayer: please report it with the --debug output. */
  Internal: 70,
  /** Stopped by Ctrl-C or SIGTERM; a records job resumes when run again. */
  Interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
