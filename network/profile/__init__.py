"""The person's own profile: name, job title, phone, preferred contact, password and e-mail address."""
