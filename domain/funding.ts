import { isIntermediateCare, serviceAgency, type Agency, type Funding, type Service } from '../schemas/common';

/**
 * Who pays for a service until funding is recorded, as the documents describe it: health services
 * (district nursing, therapy, intermediate care, a continuing-healthcare decision) are free;
 * council home care, major adaptations and care homes are means-tested after a financial
 * assessment; equipment, minor adaptations and housing help are free from the council. Long-term
 * care taking over from intermediate care is where charges may start.
 */
export function assumedFunding(service: Service, agency: Agency = serviceAgency[service]): Funding {
  if (isIntermediateCare(service)) return { payer: 'nhs', charging: 'free', financialAssessment: 'not_needed' };
  switch (service) {
    case 'welfare-check':
      // Free whoever makes it: community health (the NHS) or the voluntary sector.
      return {
        payer: agency === 'voluntary' ? 'voluntary' : 'nhs',
        charging: 'free',
        financialAssessment: 'not_needed',
      };
    case 'district-nursing':
    case 'therapy':
    case 'chc-assessment':
      return { payer: 'nhs', charging: 'free', financialAssessment: 'not_needed' };
    case 'domiciliary-care':
    case 'major-adaptations':
    case 'care-home-placement':
      return { payer: 'council', charging: 'means_tested', financialAssessment: 'pending' };
    case 'home-from-hospital':
      return { payer: 'voluntary', charging: 'free', financialAssessment: 'not_needed' };
    // A carer's assessment, like equipment, minor adaptations and housing help, is free from the council.
    default:
      return { payer: 'council', charging: 'free', financialAssessment: 'not_needed' };
  }
}
