/** E-mail over SMTP with STARTTLS, against a real aiosmtpd started here (test/helpers/smtp.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mailer, SmtpConfigError, smtpOptions } from './email.js';
import { header, startSmtp } from '../../test/helpers/smtp.js';

const noWait = async (): Promise<void> => undefined;
const policy = { attempts: 3, backoffMs: 1, timeoutMs: 5000 };

test('smtp URLs: STARTTLS required on smtp://, TLS from the start on smtps://, credentials decoded', () => {
  const o = smtpOptions({ url: 'smtp://alerts%40example.com:p%3Ass@mail.example.com' });
  assert.deepEqual([o.host, o.port, o.secure, o.requireTLS, o.auth], ['mail.example.com', 587, false, true, { user: 'alerts@example.com', pass: 'p:ss' }]);
  const s = smtpOptions({ url: 'smtps://mail.example.com:2465', ca: 'PEM' });
  assert.deepEqual([s.port, s.secure, s.requireTLS, s.auth, (s.tls as { ca: string }).ca], [2465, true, false, undefined, 'PEM']);
  assert.throws(() => smtpOptions({ url: 'http://mail.example.com' }), SmtpConfigError);
  assert.throws(() => smtpOptions({ url: 'not a url' }), /not a URL/);
});

test('a mail goes through STARTTLS to the server, trusted by its CA, and arrives with its content', async () => {
  const smtp = await startSmtp();
  const mailer = new Mailer({ url: smtp.url, ca: smtp.caPem, from: 'Logward <alarms@logward.test>' }, policy);
  try {
    const r = await mailer.send({ to: 'oncall@example.com', subject: 'ALARM: "root-usage" in us-east-1', text: 'ALARM: root-usage\nOK -> ALARM at 2026-11-27 01:02:03 UTC' });
    assert.deepEqual(r, { ok: true, attempts: 1 });
    const [mail] = await smtp.waitFor(1);
    assert.match(mail!, /^To: oncall@example\.com$/m);
    assert.match(mail!, /^From: Logward <alarms@logward\.test>$/m);
    assert.equal(header(mail!, 'Subject'), 'ALARM: "root-usage" in us-east-1');
    assert.match(mail!, /OK -> ALARM at 2026-11-27 01:02:03 UTC/);
    // aiosmtpd notes the peer; the message was only accepted after STARTTLS (it requires it).
    assert.match(mail!, /^X-Peer: /m);
  } finally {
    mailer.close();
    await smtp.stop();
  }
});

test('an untrusted certificate is refused (nothing is sent), and so is a server without STARTTLS', async () => {
  const smtp = await startSmtp();
  const untrusting = new Mailer({ url: smtp.url }, policy);
  try {
    const r = await untrusting.send({ to: 'a@example.com', subject: 's', text: 't' }, noWait);
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /self[- ]signed|certificate/i);
    assert.deepEqual(await smtp.messages(), []);
  } finally {
    untrusting.close();
    await smtp.stop();
  }
  const plain = await startSmtp({ tls: false });
  const mailer = new Mailer({ url: plain.url }, policy);
  try {
    const r = await mailer.send({ to: 'a@example.com', subject: 's', text: 't' }, noWait);
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /STARTTLS/i);
    assert.deepEqual(await plain.messages(), []);
  } finally {
    mailer.close();
    await plain.stop();
  }
});

test('an unreachable server is retried, then reported with the reason', async () => {
  const smtp = await startSmtp();
  const url = smtp.url;
  await smtp.stop();
  const waits: number[] = [];
  const mailer = new Mailer({ url }, { attempts: 3, backoffMs: 100, timeoutMs: 2000 });
  try {
    const r = await mailer.send({ to: 'a@example.com', subject: 's', text: 't' }, async (ms) => void waits.push(ms));
    assert.equal(r.ok, false);
    assert.equal(r.attempts, 3);
    assert.deepEqual(waits, [100, 200]);
    assert.match(r.error ?? '', /ECONNREFUSED|connect/i);
  } finally {
    mailer.close();
  }
});
