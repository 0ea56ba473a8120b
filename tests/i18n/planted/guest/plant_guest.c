/*
 * tests/i18n/planted/guest/plant_guest.c: a guest that says one sentence
 * planted/plant_host_text.c lacks (i18n.guest_sentences_catches_a_plant).
 * Runs in: guest (never built; read by tests/i18n/guest_sentences.sh).
 */
void plant(void)
{
	popf_demo_begin("plant", "A title both know");
	popf_demo_say("A sentence the host does not know, %u times.", 3);
	guest_printf("popf_demo: a line both know\n");
}
