/** A fitted profile's id: a digest of its content, so two plans made with the same profile say so. */
import { createHash } from 'node:crypto';
import type { Profile } from './types.js';

export function profileId(profile: Profile): string {
  return `profile:${createHash('sha256').update(JSON.stringify(profile)).digest('hex').slice(0, 16)}`;
}
