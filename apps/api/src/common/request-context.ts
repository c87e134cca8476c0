import { type Request } from 'express';

/** Who is calling, as established by the auth guard from a valid session. */
export interface Principal {
  userId: string;
  districtId: string;
  role: 'student' | 'teacher' | 'guardian' | 'school_admin' | 'district_admin';
  sessionId: string;
}

export interface HomeroomRequest extends Request {
  correlationId?: string;
  principal?: Principal;
}
