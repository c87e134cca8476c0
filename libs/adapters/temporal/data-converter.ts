import { type DataConverter } from '@temporalio/common';
import { createPayloadCodec } from '../../crypto/payload-codec';
import { type TemporalConfig } from '../../config/config';

/** Temporal loads the failure converter by path; bundles built ahead of time need it too. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The same converter is used by the API's client and by the worker, so every payload in the server's
 * history (inputs, results, activity arguments, failure messages) is AES-256-GCM ciphertext: a second
 * wall behind the rule that workflows carry ids only.
 */
export function createDataConverter(
  config: Pick<TemporalConfig, 'PAYLOAD_CODEC_KEY' | 'PAYLOAD_CODEC_KEY_ID' | 'PAYLOAD_CODEC_PREVIOUS_KEYS'>,
): DataConverter {
  return {
    payloadCodecs: [
      createPayloadCodec({
        keyId: config.PAYLOAD_CODEC_KEY_ID,
        key: config.PAYLOAD_CODEC_KEY,
        previousKeys: config.PAYLOAD_CODEC_PREVIOUS_KEYS,
      }),
    ],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
