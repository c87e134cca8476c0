import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  createPayloadCodec,
  ENCRYPTED_ENCODING,
  ENCRYPTION_KEY_ID_METADATA,
} from '../../../libs/crypto/payload-codec';
import { DecryptionError, KeyConfigError, UnknownKeyError } from '../../../libs/crypto/errors';
import { randomKey } from '../../support/keys';

const text = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? []).toString();

function expectSamePayload(actual: Payload, expected: Payload): void {
  expect(Buffer.from(actual.data ?? [])).toEqual(Buffer.from(expected.data ?? []));
  const actualMetadata = Object.fromEntries(
    Object.entries(actual.metadata ?? {}).map(([k, v]) => [k, text(v)]),
  );
  const expectedMetadata = Object.fromEntries(
    Object.entries(expected.metadata ?? {}).map(([k, v]) => [k, text(v)]),
  );
  expect(actualMetadata).toEqual(expectedMetadata);
}

describe('AesGcmPayloadCodec', () => {
  const codec = new AesGcmPayloadCodec({ keyId: 'codec-2025', key: randomKey() });

  it('when values go through the default converter and the codec, then they come back unchanged', async () => {
    const values = [
      { announcementId: 'a1b2', recipients: 42 },
      'plain string',
      null,
      undefined,
      new Uint8Array([0, 1, 255]),
    ];
    const payloads = values.map((value) => defaultPayloadConverter.toPayload(value));

    const decoded = await codec.decode(await codec.encode(payloads));

    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual(values);
    decoded.forEach((payload, index) => expectSamePayload(payload, payloads[index] as Payload));
  });

  it('when a payload carries extra metadata, then decode restores every metadata entry', async () => {
    const payload: Payload = {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from('json/plain'),
        messageType: Buffer.from('homeroom.AnnouncementInput'),
        empty: new Uint8Array(),
      },
      data: Buffer.from('{"announcementId":"x"}'),
    };

    const [decoded] = await codec.decode(await codec.encode([payload]));

    expectSamePayload(decoded as Payload, payload);
  });

  it('when encoding, then the output carries only the encrypted marker and key id, and no plaintext', async () => {
    const secret = 'SECRET-MESSAGE-BODY-MARKER';
    const payload = defaultPayloadConverter.toPayload({ body: secret });

    const [encoded] = await codec.encode([payload]);

    expect(Object.keys(encoded?.metadata ?? {}).sort()).toEqual(
      [ENCRYPTION_KEY_ID_METADATA, METADATA_ENCODING_KEY].sort(),
    );
    expect(text(encoded?.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded?.metadata?.[ENCRYPTION_KEY_ID_METADATA])).toBe('codec-2025');
    expect(Buffer.from(encoded?.data ?? []).includes(secret)).toBe(false);
    expect(Buffer.from(encoded?.data ?? []).includes('json/plain')).toBe(false);
  });

  it('when the same payload is encoded twice, then the ciphertexts differ (fresh IV each time)', async () => {
    const payload = defaultPayloadConverter.toPayload('same');
    const [first] = await codec.encode([payload]);
    const [second] = await codec.encode([payload]);
    expect(Buffer.from(first?.data ?? [])).not.toEqual(Buffer.from(second?.data ?? []));
  });

  it('when decoding an empty list or an unencrypted payload, then it is returned as is', async () => {
    const plain = defaultPayloadConverter.toPayload({ id: 'x' });
    expect(await codec.encode([])).toEqual([]);
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('when one ciphertext byte is flipped, then decode throws', async () => {
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload({ id: 'x' })]);
    const data = Buffer.from(encoded?.data ?? []);
    data[data.length - 20] ^= 0x01;

    await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(DecryptionError);
  });

  it('when the payload names a key the codec does not hold, then decode fails naming that key id', async () => {
    const other = new AesGcmPayloadCodec({ keyId: 'someone-else', key: randomKey() });
    const encoded = await other.encode([defaultPayloadConverter.toPayload('x')]);

    await expect(codec.decode(encoded)).rejects.toThrow(UnknownKeyError);
    await expect(codec.decode(encoded)).rejects.toThrow(/someone-else/);
  });

  it('when the key id metadata is relabelled to another held key, then decode throws', async () => {
    const oldKey = { keyId: 'old', key: randomKey() };
    const rotated = new AesGcmPayloadCodec({ keyId: 'new', key: randomKey() }, [oldKey]);
    const [encoded] = await rotated.encode([defaultPayloadConverter.toPayload('x')]);
    const relabelled = {
      ...encoded,
      metadata: { ...encoded?.metadata, [ENCRYPTION_KEY_ID_METADATA]: Buffer.from('old') },
    };

    await expect(rotated.decode([relabelled])).rejects.toThrow(DecryptionError);
  });

  it('when the encryption-key-id metadata is missing, then decode throws', async () => {
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload('x')]);
    const stripped = { ...encoded, metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING) } };

    await expect(codec.decode([stripped])).rejects.toThrow(/encryption-key-id/);
  });

  it('when the codec key is rotated, then old payloads decode with the previous key and new ones use the new key', async () => {
    const oldKey = { keyId: 'codec-1', key: randomKey() };
    const before = new AesGcmPayloadCodec(oldKey);
    const after = new AesGcmPayloadCodec({ keyId: 'codec-2', key: randomKey() }, [oldKey]);
    const afterWithoutOld = new AesGcmPayloadCodec({ keyId: 'codec-2', key: randomKey() });
    const oldHistory = await before.encode([defaultPayloadConverter.toPayload({ id: 'old' })]);

    const [decodedOld] = await after.decode(oldHistory);
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload({ id: 'new' })]);

    expect(defaultPayloadConverter.fromPayload(decodedOld as Payload)).toEqual({ id: 'old' });
    expect(text(fresh?.metadata?.[ENCRYPTION_KEY_ID_METADATA])).toBe('codec-2');
    await expect(afterWithoutOld.decode(oldHistory)).rejects.toThrow(/codec-1/);
  });

  it('when constructed with a short key or a repeated key id, then it refuses', () => {
    expect(() => new AesGcmPayloadCodec({ keyId: 'k', key: randomKey().subarray(0, 16) })).toThrow(
      /32 bytes/,
    );
    expect(
      () => new AesGcmPayloadCodec({ keyId: 'k', key: randomKey() }, [{ keyId: 'k', key: randomKey() }]),
    ).toThrow(/used twice/);
  });
});

describe('createPayloadCodec', () => {
  const validKey = randomKey().toString('base64');

  it('when given valid base64 keys, then the codec encodes with the active id and decodes previous ones', async () => {
    const previousKey = randomKey();
    const previous = new AesGcmPayloadCodec({ keyId: 'old-1', key: previousKey });
    const codec = createPayloadCodec({
      keyId: 'k1',
      key: validKey,
      previousKeys: `old-1:${previousKey.toString('base64')}`,
    });

    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload('hello')]);
    const [fromOld] = await codec.decode(await previous.encode([defaultPayloadConverter.toPayload('older')]));

    expect(text(encoded?.metadata?.[ENCRYPTION_KEY_ID_METADATA])).toBe('k1');
    expect(defaultPayloadConverter.fromPayload(fromOld as Payload)).toBe('older');
  });

  it.each([
    [
      'a 16-byte key',
      'PAYLOAD_CODEC_KEY',
      { keyId: 'k1', key: randomKey().subarray(0, 16).toString('base64') },
    ],
    ['a 33-byte key', 'PAYLOAD_CODEC_KEY', { keyId: 'k1', key: Buffer.alloc(33, 7).toString('base64') }],
    ['a key that is not base64', 'PAYLOAD_CODEC_KEY', { keyId: 'k1', key: `${validKey.slice(0, 40)}!!!!` }],
    ['an empty key', 'PAYLOAD_CODEC_KEY', { keyId: 'k1', key: '' }],
    ['an empty key id', 'PAYLOAD_CODEC_KEY_ID', { keyId: '', key: validKey }],
    ['a key id with spaces', 'PAYLOAD_CODEC_KEY_ID', { keyId: 'my key', key: validKey }],
    [
      'a malformed previous key',
      'PAYLOAD_CODEC_PREVIOUS_KEYS',
      { keyId: 'k1', key: validKey, previousKeys: 'old-1' },
    ],
    [
      'a previous key repeating the active id',
      'PAYLOAD_CODEC_PREVIOUS_KEYS',
      { keyId: 'k1', key: validKey, previousKeys: `k1:${validKey}` },
    ],
  ])('when configured with %s, then it fails naming %s', (_case, variable, config) => {
    const attempt = () => createPayloadCodec(config);
    expect(attempt).toThrow(KeyConfigError);
    expect(attempt).toThrow(new RegExp(`^${variable}: `));
  });

  it('when a key is rejected, then the error message does not repeat the key material', () => {
    const shortKey = randomKey().subarray(0, 16).toString('base64');
    expect(() => createPayloadCodec({ keyId: 'k1', key: shortKey })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(shortKey) }),
    );
  });
});
