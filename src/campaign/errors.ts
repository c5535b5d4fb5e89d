// Errors of the campaign loop and resume. EXISTS (a fresh campaign on a folder that holds one) is the
// user's to fix; a journal that does not match its campaign is not.
import { PyramidNasError } from '../util/errors.js';

export type CampaignErrorCode = 'EXISTS' | 'RESUME_MISMATCH' | 'BAD_JOURNAL';

export class CampaignError extends PyramidNasError {
  declare readonly code: CampaignErrorCode;
  constructor(code: CampaignErrorCode, message: string) {
    super(code, message, { usage: code === 'EXISTS' });
    this.name = 'CampaignError';
  }
}
