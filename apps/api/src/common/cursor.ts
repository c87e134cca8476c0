import { Inject, Injectable } from '@nestjs/common';
import { type ApiConfig } from '../../../../libs/config/config';
import { TokenSigner } from '../../../../libs/crypto/signed-tokens';
import { ValidationFailedError } from '../../../../libs/domain/errors/domain-errors';
import { isUuid } from '../../../../libs/domain/ids/uuid';
import { API_CONFIG } from './tokens';

/** A position in a list sorted by (time, id), newest first: messages, announcements, alerts, conversations. */
export interface TimeKey {
  at: Date;
  id: string;
}

const SEQ_DIGITS = 18;

/**
 * Opaque keyset cursors: the sort key of the last item returned, signed with a key of the API's own
 * (TokenSigner, purpose `cursor`). A cursor someone edited or made up is a 400 before any query runs,
 * and each kind of cursor (`k`) is refused by lists of another kind. Keyset pagination (not offsets)
 * keeps pages stable while new rows arrive.
 */
@Injectable()
export class CursorCodec {
  private readonly signer: TokenSigner;

  constructor(@Inject(API_CONFIG) config: Pick<ApiConfig, 'API_SIGNING_KEY'>) {
    this.signer = new TokenSigner(Buffer.from(config.API_SIGNING_KEY, 'base64'), 'cursor');
  }

  encodeTime(key: TimeKey): string {
    return this.encode({ k: 'time', at: key.at.toISOString(), id: key.id });
  }

  decodeTime(cursor: string | undefined): TimeKey | undefined {
    const payload = this.decode(cursor, 'time');
    if (!payload) return undefined;
    const at = typeof payload.at === 'string' ? new Date(payload.at) : undefined;
    if (!at || Number.isNaN(at.getTime()) || typeof payload.id !== 'string' || !isUuid(payload.id)) {
      throw invalidCursor();
    }
    return { at, id: payload.id.toLowerCase() };
  }

  /** The (createdAt, id) position that message and announcement pages take. */
  decodeCreatedAt(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
    const key = this.decodeTime(cursor);
    return key && { createdAt: key.at, id: key.id };
  }

  encodeSeq(seq: bigint): string {
    return this.encode({ k: 'seq', seq: seq.toString() });
  }

  decodeSeq(cursor: string | undefined): bigint | undefined {
    const payload = this.decode(cursor, 'seq');
    if (!payload) return undefined;
    const { seq } = payload;
    if (typeof seq !== 'string' || seq.length === 0 || seq.length > SEQ_DIGITS || ![...seq].every(isDigit)) {
      throw invalidCursor();
    }
    return BigInt(seq);
  }

  encodeId(id: string): string {
    return this.encode({ k: 'id', id });
  }

  decodeId(cursor: string | undefined): string | undefined {
    const payload = this.decode(cursor, 'id');
    if (!payload) return undefined;
    if (typeof payload.id !== 'string' || !isUuid(payload.id)) throw invalidCursor();
    return payload.id.toLowerCase();
  }

  private encode(payload: Record<string, string>): string {
    return this.signer.sign(JSON.stringify(payload));
  }

  private decode(cursor: string | undefined, kind: string): Record<string, unknown> | undefined {
    if (cursor === undefined || cursor === '') return undefined;
    // `?cursor=a&cursor=b` arrives as an array, whatever the parameter's declared type.
    if (typeof cursor !== 'string') throw invalidCursor();
    const text = this.signer.verify(cursor);
    if (text === undefined) throw invalidCursor();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw invalidCursor();
    }
    if (typeof parsed !== 'object' || parsed === null || (parsed as { k?: unknown }).k !== kind) {
      throw invalidCursor();
    }
    return parsed as Record<string, unknown>;
  }
}

function isDigit(character: string): boolean {
  return character >= '0' && character <= '9';
}

function invalidCursor(): ValidationFailedError {
  return new ValidationFailedError(
    'The cursor is not valid: use the nextCursor of a previous page as it is.',
    [{ field: 'cursor', message: 'is not valid' }],
  );
}
