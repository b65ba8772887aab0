/* placeholder, replaced by the CLI dispatcher */
int main(void);
int main(void)
{
	return 2;
}
