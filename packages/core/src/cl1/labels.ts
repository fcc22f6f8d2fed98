import { utf8 } from '../lib/bytes.js';

/** Domain-separation labels of cl1 (spec/protocol.md, "Labels"). */
export const labels = {
  request: utf8('cl1 request'),
  response: utf8('cl1 response'),
  handshakeRequest: utf8('cl1 handshake request'),
  handshakeResponse: utf8('cl1 handshake response'),
  session: utf8('cl1 session'),
  c2sKey: utf8('cl1 c2s key'),
  c2sIv: utf8('cl1 c2s iv'),
  s2cKey: utf8('cl1 s2c key'),
  s2cIv: utf8('cl1 s2c iv'),
} as const;
