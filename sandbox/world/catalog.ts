// Vocabulary for synthetic fleets: printer models with typical volumes, company and place names.

export interface PrinterModel {
  make: string;
  model: string;
  color: boolean;
  /** Typical weekday pages for this class of device: [low, high] of a log-uniform draw. */
  volume: [number, number];
  serialPrefix: string;
}

export const MODELS: readonly PrinterModel[] = [
  { make: 'HP', model: 'LaserJet Pro M404dn', color: false, volume: [3, 120], serialPrefix: 'PHB' },
  { make: 'HP', model: 'Color LaserJet Pro M479fdw', color: true, volume: [10, 250], serialPrefix: 'CNB' },
  { make: 'HP', model: 'LaserJet Enterprise M611dn', color: false, volume: [80, 1500], serialPrefix: 'JPB' },
  { make: 'Brother', model: 'HL-L2350DW', color: false, volume: [3, 60], serialPrefix: 'U6' },
  { make: 'Brother', model: 'MFC-L8900CDW', color: true, volume: [20, 400], serialPrefix: 'E7' },
  { make: 'Canon', model: 'imageRUNNER ADVANCE DX C5840i', color: true, volume: [300, 4000], serialPrefix: 'XKM' },
  { make: 'Canon', model: 'imageCLASS MF455dw', color: false, volume: [10, 200], serialPrefix: 'WCA' },
  { make: 'Ricoh', model: 'IM C3000', color: true, volume: [150, 2500], serialPrefix: '3099' },
  { make: 'Ricoh', model: 'IM 6000', color: false, volume: [400, 5000], serialPrefix: '3129' },
  { make: 'Xerox', model: 'VersaLink C405', color: true, volume: [30, 600], serialPrefix: '3TB' },
  { make: 'Xerox', model: 'AltaLink C8145', color: true, volume: [300, 4500], serialPrefix: 'YDB' },
  { make: 'Kyocera', model: 'ECOSYS M3655idn', color: false, volume: [60, 1200], serialPrefix: 'VCF' },
  { make: 'Lexmark', model: 'MS621dn', color: false, volume: [30, 700], serialPrefix: '4600' },
  { make: 'Konica Minolta', model: 'bizhub C300i', color: true, volume: [200, 3000], serialPrefix: 'AA2J' },
  { make: 'Sharp', model: 'MX-3071', color: true, volume: [100, 2000], serialPrefix: '05' },
];

export const NAME_FIRST = [
  'Acme', 'Northwind', 'Bluebird', 'Cedar', 'Summit', 'Harbor', 'Pioneer', 'Granite', 'Willow', 'Redwood',
  'Lakeside', 'Meridian', 'Silverline', 'Oakridge', 'Evergreen', 'Riverside', 'Keystone', 'Horizon', 'Maple',
  'Sterling', 'Brightwater', 'Ironwood', 'Crescent', 'Falcon', 'Juniper', 'Beacon', 'Copperfield', 'Aspen',
] as const;

export const NAME_SECOND = [
  'Dental', 'Logistics', 'Law Group', 'Insurance', 'Medical Center', 'Architects', 'Credit Union', 'Schools',
  'Engineering', 'Realty', 'Accounting', 'Manufacturing', 'Clinic', 'Foods', 'Hotels', 'Library', 'Partners',
  'Labs', 'Printing Co.', 'County Office',
] as const;

export const DEALER_NAMES = ['Evergreen Office Systems', 'Copier Kings', 'Tri-State Imaging', 'Metro MPS'] as const;

export interface Place {
  city: string;
  state: string;
  country: string;
  /** Hours from UTC of local office time (fixed; the sandbox ignores daylight saving). */
  utcOffset: number;
}

export const PLACES: readonly Place[] = [
  { city: 'Denver', state: 'CO', country: 'US', utcOffset: -7 },
  { city: 'Chicago', state: 'IL', country: 'US', utcOffset: -6 },
  { city: 'Atlanta', state: 'GA', country: 'US', utcOffset: -5 },
  { city: 'Boston', state: 'MA', country: 'US', utcOffset: -5 },
  { city: 'Seattle', state: 'WA', country: 'US', utcOffset: -8 },
  { city: 'Austin', state: 'TX', country: 'US', utcOffset: -6 },
  { city: 'London', state: '', country: 'GB', utcOffset: 0 },
  { city: 'Amsterdam', state: 'NH', country: 'NL', utcOffset: 1 },
];

export const SITE_NAMES = ['Warehouse', 'North Campus', 'Branch Office', 'Annex', 'Clinic 2', 'Downtown'] as const;

