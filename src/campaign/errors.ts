// Errors of the campaign loop and resume, with codes the CLI maps to exit codes.
export class CampaignError extends Error {
  constructor(readonly code: 'EXISTS' | 'RESUME_MISMATCH' | 'BAD_JOURNAL', message: string) {
    super(message);
    this.name = 'CampaignError';
  }
}
