import { compileRepeatable } from '../../lib/payload/objects';
import type { ObjectShapeSource } from '../../lib/payload/profiles/shape';

// How a service serving the AU StudentPersonal and SchoolInfo objects of the PESC samples would
// declare them (`repeatable` and `attributes` options): the lists and the attributes of AU 3.4.

const STUDENT_REPEATABLE = [
  'AlertMessages/AlertMessage', 'MedicalAlertMessages/MedicalAlertMessage', 'ElectronicIdList/ElectronicId', 'OtherIdList/OtherId',
  'PersonInfo/OtherNames/Name', 'PersonInfo/Demographics/CountriesOfCitizenship/CountryOfCitizenship',
  'PersonInfo/Demographics/CountriesOfResidency/CountryOfResidency', 'PersonInfo/Demographics/LanguageList/Language',
  'PersonInfo/Demographics/ReligiousEventList/ReligiousEvent', 'PersonInfo/AddressList/Address', 'PersonInfo/PhoneNumberList/PhoneNumber',
  'PersonInfo/EmailList/Email', 'LocalCodeList/LocalCode', 'SIF_Metadata/TimeElements/TimeElement', 'SIF_ExtendedElements/SIF_ExtendedElement',
];
const STUDENT_ATTRIBUTES = [
  'AlertMessages/AlertMessage/@Type', 'MedicalAlertMessages/MedicalAlertMessage/@Severity', 'ElectronicIdList/ElectronicId/@Type',
  'OtherIdList/OtherId/@Type', 'PersonInfo/Name/@Type', 'PersonInfo/OtherNames/Name/@Type', 'PersonInfo/AddressList/Address/@Type',
  'PersonInfo/AddressList/Address/@Role', 'PersonInfo/PhoneNumberList/PhoneNumber/@Type', 'PersonInfo/EmailList/Email/@Type',
  'SIF_ExtendedElements/SIF_ExtendedElement/@Name',
];
const SCHOOL_REPEATABLE = [
  'SchoolFocusList/SchoolFocus', 'SchoolContactList/SchoolContact', 'SchoolContactList/SchoolContact/ContactInfo/EmailList/Email',
  'SchoolContactList/SchoolContact/ContactInfo/PhoneNumberList/PhoneNumber', 'PhoneNumberList/PhoneNumber', 'YearLevels/YearLevel',
  'SchoolGroupList/SchoolGroup',
];
const SCHOOL_ATTRIBUTES = [
  'OtherLEA/@SIF_RefObject', 'PrincipalInfo/ContactName/@Type', 'SchoolContactList/SchoolContact/ContactInfo/Name/@Type',
  'SchoolContactList/SchoolContact/ContactInfo/Address/@Type', 'SchoolContactList/SchoolContact/ContactInfo/Address/@Role',
  'SchoolContactList/SchoolContact/ContactInfo/EmailList/Email/@Type', 'SchoolContactList/SchoolContact/ContactInfo/PhoneNumberList/PhoneNumber/@Type',
  'PhoneNumberList/PhoneNumber/@Type',
];

/** The AU objects of the samples, by object name. */
export const AU_OBJECTS: Record<string, ObjectShapeSource & { plural: string }> = {
  StudentPersonal: { plural: 'StudentPersonals', idAttribute: 'RefId', repeatable: compileRepeatable(STUDENT_REPEATABLE), attributes: compileRepeatable(STUDENT_ATTRIBUTES) },
  SchoolInfo: { plural: 'SchoolInfos', idAttribute: 'RefId', repeatable: compileRepeatable(SCHOOL_REPEATABLE), attributes: compileRepeatable(SCHOOL_ATTRIBUTES) },
};
