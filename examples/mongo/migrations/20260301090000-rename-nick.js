// Renames a field the API still reads: tandem blocks it until the code reads `profile.handle`.
module.exports = {
  async up(db) {
    await db.collection('users').updateMany({}, { $rename: { 'profile.nick': 'profile.handle' } });
  },

  async down(db) {
    await db.collection('users').updateMany({}, { $rename: { 'profile.handle': 'profile.nick' } });
  },
};
