// Adds a field with a default: nothing reads it yet, nothing can break.
module.exports = {
  async up(db) {
    await db.collection('users').updateMany({ plan: { $exists: false } }, { $set: { plan: 'free' } });
    await db.collection('users').createIndex({ plan: 1 }, { background: true });
  },

  async down(db) {
    await db.collection('users').dropIndex('plan_1');
    await db.collection('users').updateMany({}, { $unset: { plan: '' } });
  },
};
