import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';

/** Documents a multipart upload with one file field named `file`, the contract's shape for uploads. */
export const ApiFileUpload = (description?: string) =>
  applyDecorators(
    ApiConsumes('multipart/form-data'),
    ApiBody({
      ...(description ? { description } : {}),
      schema: {
        type: 'object',
        required: ['file'],
        properties: { file: { type: 'string', format: 'binary' } },
      },
    }),
  );
