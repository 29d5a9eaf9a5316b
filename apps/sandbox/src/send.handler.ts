import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SendMessageResponse } from '@app/graph-contract';
import { assertToken } from './auth';
import { INJECTABLE_SYNC_ERRORS, SandboxGraphError } from './graph-error';
import { makeWamid } from './message-lifecycle';
import type { SandboxRuntime } from './sandbox-runtime';
import type { ProductType } from './sandbox-state';
import { validateSend, versionNumber, type SendEndpoint } from './send-rules';
import { drawFate, isInstant } from './wire';
import { linksOfSend } from './links';

interface SendParams {
  version: string;
  phoneNumberId: string;
}

/**
 * One send, as Meta handles it: token, body and template checks, then the number's throughput
 * (130429, exact sliding second) and the pair rate (131056); on success a wamid and a scheduled
 * lifecycle of status webhooks.
 */
export function handleSend(
  rt: SandboxRuntime,
  endpoint: SendEndpoint,
  params: SendParams,
  authorization: string | undefined,
  body: unknown,
): SendMessageResponse {
  const s = rt.state;
  const phone = s.phoneNumbers.get(params.phoneNumberId);
  if (!phone) {
    throw SandboxGraphError.unknownObject(params.phoneNumberId, 'post');
  }
  const now = s.clock.nowMs();
  phone.arrivals.record(now);
  const waba = s.wabas.get(phone.wabaId);
  if (!waba) {
    throw SandboxGraphError.unknownObject(params.phoneNumberId, 'post');
  }
  assertToken(waba, authorization);
  const send = validateSend(endpoint, params.version, body, waba);
  const injected = takeInjectedError(rt, phone.id, endpoint, send.waId);
  if (injected) {
    throw injected;
  }
  let product: ProductType =
    endpoint === 'marketing_messages' ? 'MARKETING_MESSAGES_API_FOR_WHATSAPP' : 'CLOUD_API';
  if (
    product === 'MARKETING_MESSAGES_API_FOR_WHATSAPP' &&
    waba.mmOnboardingStatus !== 'ONBOARDED'
  ) {
    // §1.4: without MM onboarding, STRICT fails and the default policy silently falls back to Cloud API.
    if ((body as { product_policy?: string }).product_policy === 'STRICT') {
      throw new SandboxGraphError(
        500,
        134102,
        'Template unavailable',
        `WABA ${waba.id} is not onboarded to Marketing Messages API for WhatsApp (${waba.mmOnboardingStatus})`,
      );
    }
    if (waba.disableMarketingOnCloudApi) {
      throw killSwitch(waba.id);
    }
    product = 'CLOUD_API';
  }
  if (
    endpoint === 'messages' &&
    send.template?.category === 'MARKETING' &&
    waba.disableMarketingOnCloudApi
  ) {
    throw killSwitch(waba.id);
  }
  if (!phone.limiter.wouldAccept(now)) {
    throw new SandboxGraphError(
      400,
      130429,
      'Rate limit hit',
      'Cloud API message throughput has been reached.',
    );
  }
  const pairKey = `${phone.id}|${send.input}`;
  if (!s.pairRate.wouldAccept(pairKey, now)) {
    throw new SandboxGraphError(
      400,
      131056,
      '(Business Account, Consumer Account) pair rate limit hit',
      'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
    );
  }
  phone.limiter.push(now);
  s.pairRate.take(pairKey, now);
  phone.accepted++;
  const recipientId = send.waId ?? send.input;
  const wamid = makeWamid(
    {
      phoneNumberId: phone.id,
      recipient: recipientId,
      templateId: send.template?.id ?? null,
      product,
    },
    ++s.wamidSeq,
  );
  const b = body as { template?: { components?: unknown } };
  s.countAccepted(recipientId, {
    wamid,
    phoneNumberId: phone.id,
    to: recipientId,
    endpoint,
    type: send.type,
    template: send.template
      ? {
          name: send.template.name,
          language: send.template.language,
          components: b.template?.components ?? [],
        }
      : null,
    bizOpaqueCallbackData: send.bizOpaqueCallbackData,
    acceptedAt: new Date(now).toISOString(),
  });
  rt.lifecycle.accepted({
    wamid,
    phone,
    recipientId,
    userId: send.userId,
    template: send.template,
    product,
    pricingCategory:
      product === 'MARKETING_MESSAGES_API_FOR_WHATSAPP'
        ? 'marketing_lite'
        : (send.template?.category.toLowerCase() ?? 'service'),
    bizOpaqueCallbackData: send.bizOpaqueCallbackData,
    quickReplyPayloads: send.quickReplyPayloads,
    links: send.template
      ? linksOfSend(
          send.template.components,
          (body as { template?: { components?: unknown } }).template?.components,
        )
      : [],
    legacyConversation: versionNumber(params.version) <= 23,
  });
  return {
    messaging_product: 'whatsapp',
    contacts: [
      send.waId !== null
        ? { input: send.input, wa_id: send.waId }
        : { input: send.input, user_id: send.input },
    ],
    messages: [{ id: wamid, message_status: 'accepted' }],
  };
}

/** 131063: the WABA turned marketing templates off on Cloud API (§1.4 kill switch). */
function killSwitch(wabaId: string): SandboxGraphError {
  return new SandboxGraphError(
    400,
    131063,
    'Marketing messages are disabled on Cloud API',
    `WABA ${wabaId} has disable_marketing_messages_on_cloud_api set; send marketing templates with /marketing_messages`,
  );
}

/** The first injected error matching this send, counted down (`POST /_sandbox/errors`). */
function takeInjectedError(
  rt: SandboxRuntime,
  phoneNumberId: string,
  endpoint: SendEndpoint,
  waId: string | null,
): SandboxGraphError | null {
  const s = rt.state;
  const i = s.injectedErrors.findIndex(
    (e) =>
      (e.phoneNumberId === null || e.phoneNumberId === phoneNumberId) &&
      (e.endpoint === null || e.endpoint === endpoint) &&
      (e.to === null || e.to === waId),
  );
  const e = s.injectedErrors[i];
  if (!e) {
    return null;
  }
  e.remaining -= 1;
  if (e.remaining <= 0) {
    s.injectedErrors.splice(i, 1);
  }
  const def = INJECTABLE_SYNC_ERRORS[e.code] ?? {
    httpStatus: 400,
    title: 'Injected error',
    details: `error ${e.code} injected by the control API`,
  };
  return new SandboxGraphError(def.httpStatus, e.code, def.title, def.details);
}

/** Where a send's answer goes: Fastify's reply, or the raw response of the fast path. */
interface Answer {
  send(status: number, body: unknown): void;
  /** Never answers: the connection stays open until the client gives up. */
  hold(): void;
  /** Closes the connection without an answer. */
  drop(): void;
}

/** A Graph error in Meta's shape, counted. */
function errorAnswer(rt: SandboxRuntime, answer: Answer, e: unknown): void {
  const err =
    e instanceof SandboxGraphError
      ? e
      : new SandboxGraphError(
          500,
          1,
          'An unknown error occurred',
          undefined,
          'GraphMethodException',
        );
  rt.state.countSyncError(err.code);
  answer.send(err.httpStatus, err.toBody());
}

const serverError = (): SandboxGraphError =>
  new SandboxGraphError(
    500,
    131000,
    'Something went wrong',
    'Message failed to send because of an unknown error. Try again later.',
  );

/**
 * One send over the wire: handled (and counted) when it arrives; the wire settings then decide
 * when and whether its answer leaves (wire.ts).
 */
function serveSend(
  rt: SandboxRuntime,
  endpoint: SendEndpoint,
  params: SendParams,
  authorization: string | undefined,
  body: unknown,
  answer: Answer,
): void {
  const wire = rt.state.settings.wire;
  if (isInstant(wire)) {
    try {
      answer.send(200, handleSend(rt, endpoint, params, authorization, body));
    } catch (e) {
      errorAnswer(rt, answer, e);
    }
    return;
  }
  const fate = drawFate(wire, () => rt.state.wireRandom.next());
  const later = (f: () => void): void => {
    setTimeout(f, fate.delayMs).unref();
  };
  if (fate.kind === 'server-error') {
    // Fails before anything is accepted; the request still arrived (and counts as one).
    rt.state.phoneNumbers.get(params.phoneNumberId)?.arrivals.record(rt.state.clock.nowMs());
    rt.state.wireCounts.serverErrors++;
    later(() => errorAnswer(rt, answer, serverError()));
    return;
  }
  let out: SendMessageResponse;
  try {
    out = handleSend(rt, endpoint, params, authorization, body);
  } catch (e) {
    later(() => errorAnswer(rt, answer, e));
    return;
  }
  // Accepted (and counted) from here on, whatever becomes of the answer.
  if (fate.kind === 'timeout') {
    rt.state.wireCounts.timedOut++;
    answer.hold();
    return;
  }
  if (fate.kind === 'drop') {
    rt.state.wireCounts.dropped++;
    later(() => answer.drop());
    return;
  }
  later(() => answer.send(200, out));
}

/** A body Meta could not read, in its shape (code 100). */
const unreadable = (status: number, message: string): SandboxGraphError =>
  new SandboxGraphError(status < 500 ? status : 400, 100, 'Invalid parameter', message);

function fastifyAnswer(rt: SandboxRuntime, req: FastifyRequest, reply: FastifyReply): Answer {
  return {
    send: (status, body) => void reply.code(status).send(body),
    hold: () => {
      reply.hijack();
      rt.hold(req.raw.socket);
    },
    drop: () => {
      reply.hijack();
      req.raw.socket.destroy();
    },
  };
}

/**
 * The send routes as Fastify handlers: what `inject` and anything the fast path leaves alone
 * (another content type, say) go through.
 */
export function registerSendRoutes(fastify: FastifyInstance, rt: SandboxRuntime): void {
  const route = (endpoint: SendEndpoint) =>
    function (req: FastifyRequest, reply: FastifyReply): void {
      serveSend(
        rt,
        endpoint,
        req.params as SendParams,
        req.headers.authorization,
        req.body,
        fastifyAnswer(rt, req, reply),
      );
    };
  const errorHandler = (
    error: Error & { statusCode?: number },
    req: FastifyRequest,
    reply: FastifyReply,
  ): void => {
    // A client gone mid-body was never answered: nothing to count (as on the fast path).
    if (reply.raw.destroyed) {
      return;
    }
    // Body parse failures and the like, still in Meta's shape.
    errorAnswer(
      rt,
      fastifyAnswer(rt, req, reply),
      unreadable(error.statusCode ?? 400, error.message),
    );
  };
  fastify.post(
    '/:version/:phoneNumberId/marketing_messages',
    { errorHandler },
    route('marketing_messages'),
  );
  fastify.post('/:version/:phoneNumberId/messages', { errorHandler }, route('messages'));
}

const SEND_PATH = /^\/([^/?#]+)\/([^/?#]+)\/(marketing_messages|messages)(?:\?.*)?$/;

/**
 * The send routes on the bare HTTP server, ahead of Fastify: no router, hooks, content-type parser
 * or reply serializer per request. The sandbox is the instrument that stamps each arrival, so its
 * event loop must stay free: through Fastify, a send cost about a sixth more CPU, and the objects
 * kept per unanswered request lengthened the pauses in which arrivals wait to be stamped. Only a
 * JSON POST is taken; anything else goes on to Fastify untouched.
 */
export function fastSendPath(
  rt: SandboxRuntime,
  bodyLimit: number,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    // Closing: Fastify answers 503 and closes the connection, so a steady sender cannot hold the
    // close open (a held answer would keep its connection until the client gives up).
    if (req.method !== 'POST' || !req.url || rt.closing) {
      return false;
    }
    const m = SEND_PATH.exec(req.url);
    const type = req.headers['content-type'];
    if (!m || !type || !/^application\/json\s*(;|$)/i.test(type)) {
      return false;
    }
    let params: SendParams;
    try {
      params = {
        version: decodeURIComponent(m[1] as string),
        phoneNumberId: decodeURIComponent(m[2] as string),
      };
    } catch {
      return false;
    }
    const endpoint = m[3] as SendEndpoint;
    const answer: Answer = {
      send: (status, body) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      },
      hold: () => rt.hold(req.socket),
      drop: () => req.socket.destroy(),
    };
    const refuse = (status: number, message: string): void =>
      errorAnswer(rt, answer, unreadable(status, message));
    // A client that goes away mid-body must not take the sandbox down.
    req.on('error', () => undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > bodyLimit;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > bodyLimit) {
        tooLarge = true;
      } else if (!tooLarge) {
        chunks.push(c);
      }
    });
    req.on('end', () => {
      try {
        if (tooLarge) {
          refuse(413, 'Request body is too large');
          return;
        }
        // A leading byte-order mark is skipped, as Fastify's JSON parser skips it.
        const text = Buffer.concat(chunks, size)
          .toString('utf8')
          .replace(/^\uFEFF/, '');
        // An answer held back (wire `timeout`) keeps this listener alive: not its body too.
        chunks.length = 0;
        if (text.length === 0) {
          refuse(400, "Body cannot be empty when content-type is set to 'application/json'");
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          refuse(400, "Body is not valid JSON but content-type is set to 'application/json'");
          return;
        }
        serveSend(rt, endpoint, params, req.headers.authorization, body, answer);
      } catch {
        // A fault of the sandbox itself must not end the process: the client sees a cut connection.
        req.socket.destroy();
      }
    });
    return true;
  };
}
