/**
 * The EICAR anti-virus test file, assembled at run time so that this source file itself is not a
 * detection for scanners on developer machines.
 */
export const EICAR = Buffer.from(
  ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''),
  'latin1',
);
