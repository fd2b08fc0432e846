// Name lists for the generated Springfield data.

export const GIVEN_NAMES = [
  'Amy', 'Ben', 'Carla', 'Dev', 'Eve', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jamal', 'Kara', 'Liam', 'Maya', 'Noah',
  'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Uma', 'Victor', 'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Aiden',
  'Bianca', 'Chen', 'Dalia', 'Emeka', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jade', 'Kofi', 'Lena', 'Mateo', 'Nia',
  'Omar', 'Priya', 'Rafael', 'Sofia', 'Tomas', 'Uriel', 'Vera', 'Will', 'Yara', 'Zane',
] as const;

export const FAMILY_NAMES = [
  'Smith', 'Jones', 'Garcia', 'Nguyen', 'Patel', 'Kim', 'Okafor', 'Novak', 'Rossi', 'Silva', 'Cohen', 'Haddad',
  'Murphy', 'Schmidt', 'Tanaka', 'Dubois', 'Kowalski', 'Hansen', 'Lopez', 'Ali', 'Brown', 'Chen', 'Diaz', 'Evans',
  'Fischer', 'Gomez', 'Huber', 'Ivanov', 'Jensen', 'Khan', 'Larsen', 'Moreau', 'Nakamura', 'Olsen', 'Park',
  'Quispe', 'Reyes', 'Sato', 'Torres', 'Usman', 'Varga', 'Walker', 'Xu', 'Young', 'Zhang',
] as const;

export const COURSES = [
  ['Mathematics', 'Math'], ['English Language Arts', 'English'], ['Science', 'Science'], ['Social Studies', 'Social Studies'],
  ['Art', 'Fine Arts'], ['Music', 'Fine Arts'], ['Physical Education', 'PE'], ['Computer Science', 'Technology'],
  ['Spanish', 'World Languages'], ['Biology', 'Science'],
] as const;
