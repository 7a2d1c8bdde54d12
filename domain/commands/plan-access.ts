import type { CommandOf } from '../../schemas/commands';
import type { PathwayEvent } from '../../schemas/events';
import { checkConsentGiver } from '../assessment';
import { reject } from '../rejection';
import type { PathwayState } from '../state';

/**
 * Who may read the patient's own plan besides them (issue 27): a carer the patient agreed to share
 * it with (proxy access), on the patient's word or, for a patient who lacks capacity to decide on
 * sharing information, their attorney's, deputy's or a best-interests decision's (as any consent).
 */
export function grantCarerAccess(command: CommandOf<'carer-access'>, state: PathwayState): PathwayEvent[] {
  const granted = state.carerAccess ?? [];
  if (granted.some((access) => access.carerKey === command.carerKey && !access.revokedAt)) {
    return reject('duplicate', 'carer-access: this carer can already see the plan');
  }
  const givenBy = checkConsentGiver(command, state);
  return [
    {
      type: 'carer_access.granted',
      at: command.at,
      accessId: `carer-${granted.length + 1}`,
      carerKey: command.carerKey,
      relationship: command.relationship,
      ...(givenBy === 'patient' ? {} : { givenBy }),
    },
  ];
}

export function revokeCarerAccess(command: CommandOf<'carer-access-revoked'>, state: PathwayState): PathwayEvent[] {
  const access = state.carerAccess?.find((a) => a.accessId === command.accessId);
  if (!access) return reject('invalid', `accessId: no carer access ${command.accessId} on this pathway`);
  if (access.revokedAt) return reject('duplicate', `accessId: carer access ${command.accessId} has already ended`);
  return [{ type: 'carer_access.revoked', at: command.at, accessId: command.accessId }];
}

export function recordAccessibleInformation(command: CommandOf<'accessible-information'>): PathwayEvent[] {
  return [
    {
      type: 'accessible_information.recorded',
      at: command.at,
      formats: [...new Set(command.formats)],
      ...(command.language ? { language: command.language } : {}),
    },
  ];
}
