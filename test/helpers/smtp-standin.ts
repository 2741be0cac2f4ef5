import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerSession } from "smtp-server";

/**
 * A real SMTP server (smtp-server) on 127.0.0.1, port 0, standing in for the mail relay. It
 * parses what it receives with mailparser and can be scripted to answer with errors (421, 451,
 * 550, …), to refuse authentication (535), or never to send its greeting.
 */
export type SmtpStage = "connect" | "mail" | "rcpt" | "data";

export interface SmtpReply {
  stage: SmtpStage;
  code: number;
  message?: string;
}

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  parsed: ParsedMail;
  raw: string;
}

export interface SmtpStandin {
  host: string;
  port: number;
  /** An SMTP_URL for this server, with credentials when given. */
  url(user?: string, pass?: string): string;
  mails: ReceivedMail[];
  /** Connections seen (greeted or not). */
  connections: number;
  /** The next time each stage is reached it answers with this error instead, in order. */
  replyNext(...replies: SmtpReply[]): void;
  /** While on, new connections never get a greeting. */
  neverGreet(on: boolean): void;
  /** While on, every AUTH gets 535. */
  failAuth(on: boolean): void;
  /** Resolves when at least `count` mails arrived. */
  waitForMails(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export interface SmtpStandinOptions {
  /** Credentials to require (AUTH is optional when unset). */
  user?: string;
  pass?: string;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpStandin(options: SmtpStandinOptions = {}): Promise<SmtpStandin> {
  const mails: ReceivedMail[] = [];
  const scripted: SmtpReply[] = [];
  let silent = false;
  let authFails = false;
  let connections = 0;
  const waiters: (() => void)[] = [];

  const take = (stage: SmtpStage): SmtpReply | undefined => {
    const i = scripted.findIndex((r) => r.stage === stage);
    return i === -1 ? undefined : scripted.splice(i, 1)[0];
  };
  const fail = (stage: SmtpStage): Error | undefined => {
    const r = take(stage);
    return r ? smtpError(r.code, r.message ?? `scripted ${r.code} at ${stage}`) : undefined;
  };

  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    hideSTARTTLS: true,
    allowInsecureAuth: true,
    authOptional: options.user === undefined,
    closeTimeout: 200,
    onConnect(_session: SMTPServerSession, callback) {
      connections++;
      if (silent) return; // never greet: the client must time out
      callback(fail("connect"));
    },
    onAuth(auth, _session, callback) {
      const good = !authFails && auth.username === options.user && auth.password === options.pass;
      if (!good) return callback(smtpError(535, "5.7.8 Authentication credentials invalid"));
      callback(null, { user: auth.username });
    },
    onMailFrom(_address, _session, callback) {
      callback(fail("mail"));
    },
    onRcptTo(_address, _session, callback) {
      callback(fail("rcpt"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const error = fail("data");
        if (error) return callback(error);
        const raw = Buffer.concat(chunks).toString("utf8");
        simpleParser(raw)
          .then((parsed) => {
            const envelope = session.envelope;
            mails.push({
              envelope: {
                from: envelope.mailFrom ? envelope.mailFrom.address : "",
                to: envelope.rcptTo.map((r) => r.address),
              },
              parsed,
              raw,
            });
            waiters.splice(0).forEach((w) => w());
            callback(null);
          })
          .catch((e: unknown) => callback(e as Error));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  server.on("error", () => undefined);
  const { port } = server.server.address() as AddressInfo;

  return {
    host: "127.0.0.1",
    port,
    url: (user, pass) =>
      user === undefined
        ? `smtp://127.0.0.1:${port}`
        : `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass ?? "")}@127.0.0.1:${port}`,
    mails,
    get connections() {
      return connections;
    },
    replyNext: (...replies) => void scripted.push(...replies),
    neverGreet(on) {
      silent = on;
    },
    failAuth(on) {
      authFails = on;
    },
    async waitForMails(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} mails, got ${mails.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
