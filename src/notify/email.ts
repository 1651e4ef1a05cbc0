/**
 * E-mail notifications over SMTP, through the server given by `--smtp-url` (nodemailer's SMTP client).
 *
 * `smtp://[user:password@]host[:port]` (default port 587) must upgrade to TLS with STARTTLS before
 * anything else is sent (the message and the credentials never travel in clear: a server that does not
 * offer STARTTLS is an error); `smtps://...` (default port 465) is TLS from the first byte. The server's
 * certificate is verified against the system's CAs, or the PEM bundle of `--smtp-ca-file` (a private CA).
 * User and password are percent-decoded from the URL.
 *
 * Retries: connection and TLS failures, timeouts and 4xx SMTP answers (temporary, RFC 5321 §4.2.1) are
 * retried with exponential backoff; 5xx answers (a refused recipient, a refused login) are final.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { RetryPolicy } from './retry.js';
import { retrying, type Attempted } from './retry.js';

export interface SmtpSettings {
  /** `smtp://user:pass@host:587` (STARTTLS required) or `smtps://user:pass@host:465`. */
  url: string;
  /** PEM certificates to trust for the SMTP server (a private CA); else the system's. */
  ca?: string;
  /** The From address; default `Logward <logward@<smtp host>>`. */
  from?: string;
}

export class SmtpConfigError extends Error {
  override readonly name = 'SmtpConfigError';
}

/** A plain e-mail address: one @, no spaces, angle brackets or commas (nothing a header could split on). */
export const EMAIL_ADDRESS = /^[^\s@<>,;"()\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** nodemailer's options for the URL; throws SmtpConfigError on a URL it cannot use. */
export function smtpOptions(s: SmtpSettings): SMTPTransport.Options {
  let url: URL;
  try {
    url = new URL(s.url);
  } catch (e) {
    throw new SmtpConfigError('the SMTP URL is not a URL (smtp://user:pass@host:587 or smtps://...)', { cause: e });
  }
  const secure = url.protocol === 'smtps:';
  if (!secure && url.protocol !== 'smtp:') throw new SmtpConfigError(`the SMTP URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  if (url.hostname === '') throw new SmtpConfigError('the SMTP URL has no host');
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port !== '' ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: !secure,
    ...(user !== '' ? { auth: { user, pass: decodeURIComponent(url.password) } } : {}),
    tls: { ...(s.ca !== undefined ? { ca: s.ca } : {}), minVersion: 'TLSv1.2' },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  };
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail through one SMTP server; one connection per message (alarms are rare). */
export class Mailer {
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly from: string;

  constructor(settings: SmtpSettings, private readonly policy: RetryPolicy) {
    const options = smtpOptions(settings);
    this.transport = createTransport(options);
    this.from = settings.from ?? `Logward <logward@${options.host}>`;
  }

  async send(mail: Mail, sleep?: (ms: number) => Promise<void>): Promise<Attempted> {
    return retrying(
      this.policy,
      async () => {
        try {
          await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
          return { ok: true };
        } catch (e) {
          const err = e as { message: string; responseCode?: number };
          const code = err.responseCode;
          // 5xx: the server will say the same next time.
          return { ok: false, error: err.message, retry: !(code !== undefined && code >= 500) };
        }
      },
      sleep,
    );
  }

  close(): void {
    this.transport.close();
  }
}
